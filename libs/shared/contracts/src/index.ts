export * from './lib/permissions';
export * from './lib/cursor';
export * from './lib/errors';
export * from './lib/auth';
export * from './lib/audit';
export * from './lib/activity';
