import { Global, Module } from '@nestjs/common';
import { AppSettings, SALT_CONNECTION_TESTER } from '@sylvite/api-settings';
import { ActivityBus } from './activity-bus';
import { SaltApiClient } from './client/salt-api.client';
import { MetricsController } from './metrics';
import { RetentionService } from './retention.service';
import { SaltConnectionTesterService } from './salt-connection-tester.service';
import { SaltStreamService } from './salt-stream.service';

/**
 * The salt-api connector, the ingest writer and the live bridge. Global: the Activity, Salt
 * operations and Settings modules inject SaltApiClient, ActivityBus and SaltStreamService.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    ActivityBus,
    {
      provide: SaltApiClient,
      inject: [AppSettings],
      useFactory: async (settings: AppSettings) => new SaltApiClient(await settings.saltConnection()),
    },
    SaltStreamService,
    RetentionService,
    SaltConnectionTesterService,
    { provide: SALT_CONNECTION_TESTER, useExisting: SaltConnectionTesterService },
  ],
  exports: [ActivityBus, SaltApiClient, SaltStreamService, RetentionService, SALT_CONNECTION_TESTER],
})
export class SaltStreamModule {}
