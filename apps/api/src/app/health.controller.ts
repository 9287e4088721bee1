import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from '@sylvite/api-core';
import { SaltStreamService } from '@sylvite/api-salt-stream';

/**
 * Liveness and readiness: the database answers and every migration is applied. The Salt stream's
 * state is reported too, but never makes the api unready: salt-api going away is not ours to fix.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly ds: DataSource,
    private readonly salt: SaltStreamService,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      async () => {
        const i = this.indicators.check('migrations');
        const pending = await this.ds.showMigrations();
        return pending ? i.down({ pending: true }) : i.up({ pending: false });
      },
      async () => {
        const { state, last_event_at, reconnects } = this.salt.status;
        return this.indicators.check('salt_stream').up({ state, last_event_at, reconnects, leader: this.salt.isLeader });
      },
    ]);
  }
}
