export * from './lib/settings.module';
export * from './lib/settings.store';
export * from './lib/setting.entity';
