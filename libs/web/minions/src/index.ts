export * from './lib/minion-detail-page';
export * from './lib/minions-api';
export * from './lib/minions-page';
