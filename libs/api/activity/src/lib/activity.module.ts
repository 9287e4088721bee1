import { Module } from '@nestjs/common';
import { SaltStreamModule } from '@sylvite/api-salt-stream';
import { ActivityController } from './activity.controller';
import { ActivityRepository } from './activity.repository';
import { ActivityService } from './activity.service';
import { ActivityExportService } from './export/activity-export.service';
import { ActivityNotifyListener } from './stream/activity-notify.listener';
import { ActivityStreamHub } from './stream/activity-stream.service';

/**
 * The Salt activity feed: history (GET /api/activity, /:id, /export), the live SSE stream fed by the
 * ActivityBus, and the LISTEN side of multi-replica fan-out. Settings, auth and audit are global.
 */
@Module({
  imports: [SaltStreamModule],
  controllers: [ActivityController],
  providers: [ActivityRepository, ActivityService, ActivityStreamHub, ActivityNotifyListener, ActivityExportService],
  exports: [ActivityService, ActivityStreamHub],
})
export class ActivityModule {}
