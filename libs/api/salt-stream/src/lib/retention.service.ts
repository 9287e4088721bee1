import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppSettings } from '@sylvite/api-settings';
import { runRetention, type RetentionResult } from './ingest/retention';
import { databaseUrlOf } from './salt-stream.service';

/** One replica at a time runs retention (each tries; the others skip). */
const RETENTION_LOCK = 727102;

/**
 * Drops activity older than the retention window (Settings, 1–365 days, default 30) as whole
 * day partitions, hourly and shortly after boot, and keeps a week of partitions ahead.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Retention');
  private bootTimer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionResult | null> | null = null;

  constructor(private readonly settings: AppSettings, private readonly ds: DataSource) {}

  onApplicationBootstrap(): void {
    // Not in the boot path: the first run waits until the api is serving.
    this.bootTimer = setTimeout(() => void this.run().catch(() => undefined), 10_000);
    this.bootTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.bootTimer) clearTimeout(this.bootTimer);
    await this.running?.catch(() => undefined);
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'activity-retention' })
  async hourly(): Promise<void> {
    await this.run().catch(() => undefined);
  }

  /** Runs once now (null when another replica is running it). */
  run(now = new Date()): Promise<RetentionResult | null> {
    this.running ??= this.runOnce(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runOnce(now: Date): Promise<RetentionResult | null> {
    const days = await this.settings.retentionDays();
    const client = new Client({ connectionString: databaseUrlOf(this.ds), application_name: 'sylvite-retention', statement_timeout: 60_000 });
    await client.connect();
    try {
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RETENTION_LOCK]);
      if (!lock.rows[0]?.ok) return null;
      const result = await runRetention(client, days, now);
      if (result.droppedDays.length || result.dedupeKeysDeleted) {
        this.logger.log(`retention (${days} days): dropped ${result.droppedDays.length} day partitions, ${result.dedupeKeysDeleted} dedupe keys`);
      }
      return result;
    } catch (err) {
      this.logger.error(`retention failed: ${(err as Error).message}`);
      throw err;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
