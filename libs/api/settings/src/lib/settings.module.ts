import { Global, Module } from '@nestjs/common';
import { AppSettings } from './app-settings.service';
import { SettingsController } from './settings.controller';
import { SettingsStore } from './settings.store';

@Global()
@Module({ controllers: [SettingsController], providers: [SettingsStore, AppSettings], exports: [SettingsStore, AppSettings] })
export class SettingsModule {}
