export * from './lib/timeline-api';
export * from './lib/timeline-page';
