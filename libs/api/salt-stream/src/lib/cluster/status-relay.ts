import { Logger } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import type { BehaviorSubject } from 'rxjs';
import type { StreamStatus } from '../activity-bus';

export const STREAM_STATUS_CHANNEL = 'sylvite_stream_status';

export interface StatusRelayOptions {
  databaseUrl: string;
  status: BehaviorSubject<StreamStatus>;
  /** True while this replica holds the stream (its own status is the truth; nothing to relay in). */
  isLeader(): boolean;
}

/**
 * Only the leader knows the stream's state; the console's heartbeat must be live on every replica.
 * The leader NOTIFYs its status on `sylvite_stream_status` (on change and every few seconds); the
 * others LISTEN and mirror it. Rows are not relayed here: the Activity module's NOTIFY listener
 * fetches `id > last_seen` on `sylvite_activity`.
 */
export class StatusRelay {
  private readonly logger = new Logger('StatusRelay');
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private last = '';
  private lastSentAt = 0;
  private lastReceived = '';

  constructor(private readonly opts: StatusRelayOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), 1000);
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const c = await this.connection();
      if (!this.opts.isLeader()) return;
      const s = JSON.stringify(this.opts.status.value);
      const now = Date.now();
      if (s === this.last && now - this.lastSentAt < 5000) return;
      this.last = s;
      this.lastSentAt = now;
      await c.query('SELECT pg_notify($1, $2)', [STREAM_STATUS_CHANNEL, s]);
    } catch (err) {
      this.logger.debug(`status relay: ${(err as Error).message}`);
      const c = this.client;
      this.client = null;
      await c?.end().catch(() => undefined);
    }
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const c = new Client({ connectionString: this.opts.databaseUrl, application_name: 'sylvite-status' });
      c.on('error', () => {
        if (this.client === c) this.client = null;
      });
      c.on('notification', (n) => this.onNotification(n));
      await c.connect();
      await c.query(`LISTEN ${STREAM_STATUS_CHANNEL}`);
      this.client = c;
      return c;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private onNotification(n: Notification): void {
    if (this.opts.isLeader() || n.channel !== STREAM_STATUS_CHANNEL || !n.payload) return;
    // The leader repeats an unchanged status every few seconds; browsers only need changes.
    if (n.payload === this.lastReceived) return;
    this.lastReceived = n.payload;
    try {
      const s = JSON.parse(n.payload) as StreamStatus;
      if (s && typeof s.state === 'string') this.opts.status.next(s);
    } catch {
      // Not ours or truncated: the next one comes within seconds.
    }
  }
}
