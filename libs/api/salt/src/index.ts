export * from './lib/salt.module';

