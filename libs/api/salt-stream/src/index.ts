export * from './lib/salt-stream.module';
export * from './lib/normalize';
export * from './lib/activity-bus';
