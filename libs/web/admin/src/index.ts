export * from './lib/admin-api';
export * from './lib/projects-page';
export * from './lib/users-page';
