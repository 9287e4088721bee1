export * from './lib/salt-stream.module';

