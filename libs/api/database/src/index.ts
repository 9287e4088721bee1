export * from './lib/embedded-postgres';
export * from './lib/data-source';
export * from './lib/migrations';
