export * from './lib/empty-state';
export * from './lib/icon';
export * from './lib/page-header';
