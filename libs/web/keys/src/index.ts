export * from './lib/keys-api';
export * from './lib/keys-page';
