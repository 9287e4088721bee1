export * from './lib/salt-settings-card';
export * from './lib/settings-api';
export * from './lib/settings-page';
