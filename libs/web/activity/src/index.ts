export * from './lib/activity-api';
export * from './lib/activity-detail';
export * from './lib/activity-feed';
export * from './lib/activity-filter';
export * from './lib/activity-page';
export * from './lib/activity-row';
export * from './lib/live-state-text';
