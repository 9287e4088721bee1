export * from './lib/activity-buckets';
export * from './lib/activity-chart';
export * from './lib/kpi-tiles';
export * from './lib/overview-page';
export * from './lib/recent-activity-widget';
