export * from './lib/salt-stream.module';
export * from './lib/normalize';
