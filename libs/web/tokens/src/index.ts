export * from './lib/tokens-api';
export * from './lib/tokens-page';
