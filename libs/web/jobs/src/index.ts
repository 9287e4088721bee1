export * from './lib/job-detail-page';
export * from './lib/jobs-api';
export * from './lib/jobs-page';
export * from './lib/run-arguments';
export * from './lib/run-page';
