export * from './lib/salt.module';
export * from './lib/dto';
export * from './lib/target/target';
export * from './lib/jobs/job-facts';
export { JobsRepository } from './lib/jobs/jobs.repository';
export { JobsIndexService } from './lib/jobs/jobs-index.service';
export { JobsService } from './lib/jobs/jobs.service';
export { FleetService } from './lib/fleet/fleet.service';
