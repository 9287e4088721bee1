export * from './lib/activity.module';

