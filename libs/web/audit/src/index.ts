export * from './lib/audit-api';
export * from './lib/audit-filter';
export * from './lib/audit-page';
