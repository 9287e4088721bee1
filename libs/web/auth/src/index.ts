export * from './lib/change-password-page';
export * from './lib/login-page';
export * from './lib/passwords';
export * from './lib/setup-page';
