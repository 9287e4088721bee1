export * from './lib/projects.module';
export * from './lib/projects.service';
export * from './lib/project-rules';
export * from './lib/entities/project.entity';
export * from './lib/entities/project-membership.entity';
