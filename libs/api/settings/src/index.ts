export * from './lib/settings.module';

