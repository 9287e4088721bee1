export * from './lib/badge';
export * from './lib/confirm-dialog';
export * from './lib/empty-state';
export * from './lib/icon';
export * from './lib/json-view';
export * from './lib/page-header';
export * from './lib/states';
export * from './lib/time';
