import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Observable, Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { AppSettings } from '@sylvite/api-settings';
import { ActivityBus, type StreamStatus } from './activity-bus';
import { SaltApiClient } from './client/salt-api.client';
import { StatusRelay } from './cluster/status-relay';
import { LeaderElection } from './cluster/leader-election';
import { ActivityWriter, type WriterStats } from './ingest/activity-writer';
import { BoundedQueue } from './ingest/bounded-queue';
import { latestStoredAt, storedJobs } from './ingest/store-queries';
import { registerStreamMetrics, setStreamMetricsSource } from './metrics';
import type { NormalizedActivity } from './normalize';
import { SaltStreamConnector } from './stream/connector';

/** Events parsed but not yet written, at most: this many… */
export const INGEST_QUEUE_CAPACITY = 50_000;
/**
 * …and this much raw event text. Returns of 10–200 KB would otherwise let a burst above the
 * writer's ceiling hold gigabytes (B2); what is refused becomes a recorded gap that
 * reconciliation fetches back from the jobs index.
 */
export const INGEST_QUEUE_BYTES = 128 * 1024 * 1024;
/** How often settings saved on another replica are picked up, ms. */
const SETTINGS_POLL_MS = 5000;
/** The boot reconciliation never reaches further back than the jobs index keeps (24 h). */
const MAX_RESUME_MS = 24 * 3600_000;

export function databaseUrlOf(ds: DataSource): string {
  const url = (ds.options as { url?: string }).url;
  if (!url) throw new Error('the salt stream needs the DataSource to be configured by URL');
  return url;
}

/**
 * Runs the Salt stream when the settings say so: the event stream is on, salt-api is configured,
 * and this replica holds the stream lock. Follows the settings (saving reconnects, turning the
 * stream off stops it), relays the leader's status to the other replicas, and exposes the
 * status for the console and the metrics.
 */
@Injectable()
export class SaltStreamService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SaltStreamService');
  readonly queue = new BoundedQueue<NormalizedActivity>(INGEST_QUEUE_CAPACITY, { maxBytes: INGEST_QUEUE_BYTES, sizeOf: (row) => row.raw.text.length });
  private writer: ActivityWriter | null = null;
  private connector: SaltStreamConnector | null = null;
  private election: LeaderElection | null = null;
  private relay: StatusRelay | null = null;
  private subs: Subscription[] = [];
  private poll: NodeJS.Timeout | null = null;
  private evaluating: Promise<void> | null = null;
  private again = false;
  private destroyed = false;

  constructor(
    private readonly settings: AppSettings,
    private readonly client: SaltApiClient,
    private readonly bus: ActivityBus,
    private readonly ds: DataSource,
  ) {}

  /** The stream's status now (connected / reconnecting / disabled / standby, last event, rate, lag). */
  get status(): StreamStatus {
    return this.bus.status.value;
  }

  /** Every status change (and a refresh each second while running). */
  get status$(): Observable<StreamStatus> {
    return this.bus.status.asObservable();
  }

  get isLeader(): boolean {
    return this.election?.isLeader ?? false;
  }

  get writerStats(): WriterStats | null {
    return this.writer?.stats ?? null;
  }

  onApplicationBootstrap(): void {
    registerStreamMetrics();
    setStreamMetricsSource({
      status: () => this.status,
      writer: () => this.writerStats,
      queue: () => ({ size: this.queue.size, capacity: this.queue.capacity, dropped: this.queue.dropped }),
      leader: () => this.isLeader,
    });
    this.subs.push(this.settings.changes.subscribe((section) => {
      if (section === 'salt' || section === 'stream') this.evaluate();
    }));
    this.poll = setInterval(() => this.evaluate(), SETTINGS_POLL_MS);
    this.evaluate();
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    if (this.poll) clearInterval(this.poll);
    for (const s of this.subs) s.unsubscribe();
    await this.evaluating?.catch(() => undefined);
    await this.stopIngest();
    await this.election?.stop();
    await this.relay?.stop();
    this.client.close();
    setStreamMetricsSource(null);
  }

  /** Re-reads the settings and starts or stops what they ask for (serialized). */
  evaluate(): void {
    if (this.destroyed) return;
    if (this.evaluating) {
      this.again = true;
      return;
    }
    this.evaluating = (async () => {
      do {
        this.again = false;
        try {
          await this.apply();
        } catch (err) {
          this.logger.warn(`could not apply the stream settings: ${(err as Error).message}`);
        }
      } while (this.again && !this.destroyed);
    })().finally(() => {
      this.evaluating = null;
    });
  }

  private async apply(): Promise<void> {
    const conn = await this.settings.saltConnection();
    // A changed connection bumps the client's generation: a running connector reconnects with it
    // (at once, also when it is between attempts in a long backoff).
    const generation = this.client.connectionGeneration;
    this.client.configure(conn);
    if (this.client.connectionGeneration !== generation) this.connector?.reconnectNow('connection settings changed');
    const enabled = (await this.settings.streamEnabled()) && this.client.configured;
    if (this.destroyed) return;
    if (!enabled) {
      await this.stopIngest();
      await this.election?.stop();
      this.election = null;
      await this.relay?.stop();
      this.relay = null;
      this.setStatus('disabled');
      return;
    }
    const url = databaseUrlOf(this.ds);
    if (!this.election) {
      this.election = new LeaderElection({ databaseUrl: url });
      this.relay = new StatusRelay({ databaseUrl: url, status: this.bus.status, isLeader: () => this.isLeader });
      this.subs.push(this.election.leader.subscribe(() => this.evaluate()));
      this.setStatus('standby');
      this.election.start();
      this.relay.start();
    }
    if (this.election.isLeader) {
      if (!this.connector) await this.startIngest(url);
    } else if (this.connector) {
      await this.stopIngest();
      this.setStatus('standby');
    }
  }

  private async startIngest(url: string): Promise<void> {
    this.queue.clear();
    const writer = new ActivityWriter(this.queue, {
      databaseUrl: url,
      bus: this.bus,
      onOverflow: (o) => this.connector?.queueOverflowed(o.from, o.to, o.dropped),
    });
    const connector = new SaltStreamConnector({
      client: this.client,
      queue: this.queue,
      writer,
      status: this.bus.status,
      storedJobs: (jids, since) => storedJobs((sql, p) => this.query(sql, p), jids, since),
      resumeFrom: () => latestStoredAt((sql, p) => this.query(sql, p), new Date(Date.now() - MAX_RESUME_MS)),
    });
    this.writer = writer;
    this.connector = connector;
    writer.start();
    connector.start();
    this.logger.log(`following the Salt event bus at ${this.client.connection.url}`);
  }

  private async stopIngest(): Promise<void> {
    const connector = this.connector;
    const writer = this.writer;
    this.connector = null;
    this.writer = null;
    if (!connector && !writer) return;
    await connector?.stop();
    await writer?.stop();
    this.logger.log('stopped following the Salt event bus');
  }

  private setStatus(state: StreamStatus['state']): void {
    const s = this.bus.status.value;
    if (s.state !== state) this.bus.status.next({ ...s, state, events_per_second: 0 });
  }

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.ds.query(sql, params) as Promise<T[]>;
  }
}
