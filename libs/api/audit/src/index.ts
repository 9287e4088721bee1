export * from './lib/audit.module';
export * from './lib/audit-writer.service';
export * from './lib/audit-projects';
export * from './lib/audit.repository';
export * from './lib/audit.interceptor';
export * from './lib/audit-entry.entity';
export * from './lib/audit-query.dto';
