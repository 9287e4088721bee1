import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { ActivityBus } from '@sylvite/api-salt-stream';
import { compareIds } from '../activity-filter';
import { ActivityRepository } from '../activity.repository';
import { maxIdOf } from './stream-client';

/** The channel the ingest writer announces each committed batch on: `{"max_id", "count", "categories"}`. */
export const ACTIVITY_CHANNEL = 'sylvite_activity';

const FETCH_PAGE = 1_000;
/** Lets the local writer publish its own batch first, so the leader does not fetch what it just wrote. */
const GRACE_MS = 30;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 15_000;

/** `max_id` of a NOTIFY payload as a row id, or null when the payload is not one of ours. */
export function announcedMaxId(payload: string | undefined): string | null {
  if (!payload) return null;
  try {
    const v = (JSON.parse(payload) as { max_id?: unknown }).max_id;
    const s = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : typeof v === 'string' ? v : null;
    return s !== null && /^\d{1,19}$/.test(s) ? s.replace(/^0+(?=\d)/, '') : null;
  } catch {
    return null;
  }
}

/**
 * Multi-replica fan-out (DESIGN.md §1): only the leader ingests, so every other replica learns of
 * new rows from one NOTIFY per committed batch and fetches `id > last_seen` onto its own ActivityBus.
 * `last_seen` follows everything published on the bus, whoever published it, and only ever grows,
 * so the leader skips its own announcements and nothing is published twice by this listener.
 */
@Injectable()
export class ActivityNotifyListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ActivityNotifyListener.name);
  private client: Client | null = null;
  private lastSeen = '0';
  private announced = '0';
  private fetchTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private fetching = false;
  private attempts = 0;
  private stopped = false;
  private subscription: Subscription | null = null;

  constructor(private readonly db: DataSource, private readonly bus: ActivityBus, private readonly repo: ActivityRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = this.bus.rows.subscribe((rows) => this.advance(maxIdOf(rows, this.lastSeen)));
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.fetchTimer) clearTimeout(this.fetchTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  /** The highest row id this replica has published (or skipped as already published). */
  get lastSeenId(): string {
    return this.lastSeen;
  }

  private advance(id: string): void {
    if (compareIds(id, this.lastSeen) > 0) this.lastSeen = id;
  }

  private async connect(): Promise<void> {
    const url = (this.db.options as { url?: string }).url;
    if (!url || this.stopped) return;
    const client = new Client({ connectionString: url, application_name: 'sylvite-activity-listen' });
    client.on('notification', (msg) => this.onNotification(msg));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${ACTIVITY_CHANNEL}`);
      // Start after what exists now: history is the database's, and browsers resume from it.
      const newest = await this.repo.maxId();
      if (this.lastSeen === '0') this.advance(newest);
      else this.announce(newest);
      this.client = client;
      this.attempts = 0;
    } catch (err) {
      this.lost(client, err);
    }
  }

  /** While the connection was down NOTIFYs were lost: the reconnect fetches from last_seen. */
  private lost(client: Client, err?: unknown): void {
    if (this.client === client) this.client = null;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts++);
    this.logger.warn({ err, delay }, 'activity LISTEN connection lost; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private onNotification(msg: Notification): void {
    if (msg.channel !== ACTIVITY_CHANNEL) return;
    const maxId = announcedMaxId(msg.payload);
    if (maxId) this.announce(maxId);
  }

  private announce(maxId: string): void {
    if (compareIds(maxId, this.announced) > 0) this.announced = maxId;
    if (compareIds(this.announced, this.lastSeen) <= 0 || this.fetchTimer || this.fetching) return;
    this.fetchTimer = setTimeout(() => void this.fetch(), GRACE_MS);
  }

  private async fetch(): Promise<void> {
    this.fetchTimer = null;
    this.fetching = true;
    try {
      while (!this.stopped && compareIds(this.announced, this.lastSeen) > 0) {
        const upTo = this.announced;
        const { rows, minions } = await this.repo.between(this.lastSeen, upTo, FETCH_PAGE);
        if (rows.length) this.bus.publish(rows, minions);
        // Fewer than a page: every committed row up to the announced id is out (ids may have gaps).
        this.advance(rows.length < FETCH_PAGE ? upTo : maxIdOf(rows, this.lastSeen));
      }
    } catch (err) {
      this.logger.error({ err }, 'fetching announced activity rows failed; will retry on the next announcement');
    } finally {
      this.fetching = false;
    }
    if (!this.stopped && compareIds(this.announced, this.lastSeen) > 0) this.fetchTimer = setTimeout(() => void this.fetch(), 1000);
  }
}
