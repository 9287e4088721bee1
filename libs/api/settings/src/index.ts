export * from './lib/settings.module';
export * from './lib/settings.store';
export * from './lib/setting.entity';
export * from './lib/app-settings.service';
export * from './lib/settings.dto';
export * from './lib/secret-box';
export * from './lib/salt-connection-tester';
export * from './lib/settings.controller';
