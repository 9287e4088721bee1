import { Logger } from '@nestjs/common';
import type { BehaviorSubject } from 'rxjs';
import type { StreamStatus } from '../activity-bus';
import type { SaltApiClient } from '../client/salt-api.client';
import type { BoundedQueue } from '../ingest/bounded-queue';
import type { StreamGap } from '../ingest/activity-writer';
import type { Backfill, BatchResult } from '../ingest/write-batch';
import {
  DEFAULT_NORETURN_DEADLINE_MS, normalize, NormalizerState, type NormalizedActivity, type NormalizerOptions,
} from '../normalize';
import { Backoff, type BackoffOptions } from './backoff';
import { EventStreamConnection, type StreamEnd } from './event-stream';
import { RateWindow } from './rate-window';
import type { ReconcileOptions, StoredJob } from './reconcile';
import { GapRecovery, JobBackfiller, type GapWindow } from './recovery';

export interface ConnectorWriter {
  submit(rows: NormalizedActivity[]): Promise<BatchResult>;
  recordGap(gap: StreamGap): Promise<void>;
  backfill(b: Backfill): void;
}

export interface SaltStreamConnectorOptions {
  client: SaltApiClient;
  queue: BoundedQueue<NormalizedActivity>;
  writer: ConnectorWriter;
  status: BehaviorSubject<StreamStatus>;
  /** The store's view of jids, for reconciliation. */
  storedJobs(jids: string[], since: Date): Promise<Map<string, StoredJob>>;
  /** The latest stored event time: the downtime since then is reconciled at the first connect. */
  resumeFrom?: () => Promise<Date | null>;
  /** A stream silent this long is probed (ms). */
  silentMs?: number;
  /** The probe must come back on the bus within this (ms), else the connection is replaced. */
  probeTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Largest event accepted, in characters. */
  maxEventChars?: number;
  noReturnDeadlineMs?: number;
  sweepIntervalMs?: number;
  reconcile?: ReconcileOptions & { enabled?: boolean };
  normalizer?: Omit<NormalizerOptions, 'onBackfillNeeded' | 'apiUser'>;
}

interface Link {
  conn: EventStreamConnection;
  token: string;
  generation: number;
  open: boolean;
  openedAt: number;
  lastByteAt: number;
  opened: Promise<boolean>;
}


export const HEARTBEAT_HOOK = 'sylvite/heartbeat';

/**
 * Holds the one `GET /events` connection: logs in (and again before the token expires, opening
 * the new stream before closing the old one), reconnects with capped backoff and jitter, probes a
 * silent stream through salt-api's webhook and replaces one that does not answer, normalizes each
 * event into the bounded ingest queue (never waiting for the database), and after every gap
 * reconciles from the jobs index and records the gap.
 */
export class SaltStreamConnector {
  private readonly logger = new Logger('SaltStream');
  readonly state: NormalizerState;
  private readonly backoff: Backoff;
  private readonly rate = new RateWindow(10);
  private current: Link | null = null;
  private stopped = true;
  private timers: NodeJS.Timeout[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private refreshing = false;
  private nextRefreshTry = 0;
  private probe: { sentAt: number; deadline: number } | null = null;
  private consecutive401 = 0;
  private gap: GapWindow | null = null;
  private readonly recovery: GapRecovery;
  private readonly backfiller: JobBackfiller;
  private phase: StreamStatus['state'] = 'reconnecting';
  private lastEventAt: number | null = null;
  private lastByteAt: number | null = null;
  private lagMs: number | null = null;
  private reconnects = 0;
  private lastError: string | null = null;
  private readonly silentMs: number;
  private readonly probeTimeoutMs: number;
  private readonly noReturnDeadlineMs: number;
  private lastSweep = Date.now();
  private lastStatusText = '';

  constructor(private readonly opts: SaltStreamConnectorOptions) {
    this.silentMs = opts.silentMs ?? 30_000;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 10_000;
    this.noReturnDeadlineMs = opts.noReturnDeadlineMs ?? DEFAULT_NORETURN_DEADLINE_MS;
    this.backoff = new Backoff(opts.backoff);
    this.state = new NormalizerState({ ...opts.normalizer, onBackfillNeeded: (jid) => this.backfiller.request(jid) });
    const deps = { client: opts.client, state: this.state, writer: opts.writer, storedJobs: opts.storedJobs, options: opts.reconcile, stopped: () => this.stopped };
    this.recovery = new GapRecovery(deps);
    this.backfiller = new JobBackfiller(deps);
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** The status the console shows. */
  get status(): StreamStatus {
    return {
      state: this.stopped ? 'disabled' : this.phase,
      last_event_at: this.lastEventAt ? new Date(this.lastEventAt).toISOString() : null,
      last_byte_at: this.lastByteAt ? new Date(this.lastByteAt).toISOString() : null,
      reconnects: this.reconnects,
      events_per_second: this.rate.perSecond(),
      lag_ms: this.lagMs,
      last_error: this.lastError,
      queue_depth: this.opts.queue.size,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.phase = 'reconnecting';
    this.timers.push(setInterval(() => this.tick(), 1000));
    this.publishStatus();
    void this.boot();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const link = this.current;
    this.current = null;
    link?.conn.close('stopped');
    this.publishStatus();
    await this.recovery.settle(5000);
  }

  /** Settings changed: drop the connection and connect again at once. */
  reconnectNow(reason: string): void {
    if (this.stopped) return;
    this.backoff.reset();
    const link = this.current;
    if (link) link.conn.close(reason);
    else this.schedule(0);
  }

  private async boot(): Promise<void> {
    try {
      const since = (await this.opts.resumeFrom?.()) ?? null;
      if (since) this.gap = { from: since, to: since, reason: 'startup', dropped: 0 };
    } catch (err) {
      this.logger.warn(`could not read the last stored event: ${(err as Error).message}`);
    }
    await this.connect();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delayMs);
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.current) return;
    const client = this.opts.client;
    let token: string;
    try {
      token = await client.token();
    } catch (err) {
      this.fail(`login failed: ${(err as Error).message}`);
      this.schedule(this.backoff.next());
      return;
    }
    if (this.stopped || this.current) return;
    this.state.setApiUser(client.login?.user ?? client.connection.username);
    const link = this.open(token);
    this.current = link;
    await this.follow(link);
  }

  /** Waits for a link to end; if it is still the current one, handles the end (reconnect). */
  private async follow(link: Link): Promise<void> {
    const end = await link.conn.done;
    if (this.current !== link) return;
    this.current = null;
    this.ended(link, end);
  }

  private open(token: string): Link {
    let markOpened!: (ok: boolean) => void;
    const opened = new Promise<boolean>((resolve) => (markOpened = resolve));
    const link: Link = { token, generation: this.opts.client.connectionGeneration, open: false, openedAt: 0, lastByteAt: 0, opened, conn: null as unknown as EventStreamConnection };
    link.conn = new EventStreamConnection(this.opts.client.urlFor('/events'), token, {
      onOpen: () => {
        link.open = true;
        link.openedAt = Date.now();
        markOpened(true);
        if (this.current === link) this.connected(link);
      },
      onBytes: () => {
        const now = Date.now();
        link.lastByteAt = now;
        this.lastByteAt = now;
      },
      onEvent: (json) => this.handle(json),
    }, { maxEventChars: this.opts.maxEventChars });
    void link.conn.done.then(() => markOpened(false));
    return link;
  }

  private connected(link: Link): void {
    this.phase = 'connected';
    this.consecutive401 = 0;
    this.lastError = null;
    this.probe = null;
    this.publishStatus();
    const gap = this.gap;
    this.gap = null;
    if (gap) this.recovery.recover({ ...gap, to: new Date(link.openedAt) });
    void this.seedPendingKeys();
  }

  private ended(link: Link, end: StreamEnd): void {
    const reason = describeEnd(end);
    if (this.stopped) return;
    const now = Date.now();
    if (link.open && now - link.openedAt > 30_000) this.backoff.reset();
    const from = new Date(link.lastByteAt || link.openedAt || now);
    if (!this.gap && link.open) this.gap = { from, to: from, reason: `reconnect: ${reason}`, dropped: 0 };
    this.phase = 'reconnecting';
    this.reconnects++;
    this.lastError = end.kind === 'closed' && end.reason === 'token refreshed' ? null : reason;
    let delay: number;
    if (end.kind === 'http' && end.status === 401) {
      // The session is gone (expired, salt-api restarted): one immediate login, then back off.
      this.opts.client.invalidate(link.token);
      delay = this.consecutive401++ === 0 ? 0 : this.backoff.next();
    } else if (end.kind === 'closed' && !link.open) {
      delay = 0;
    } else {
      delay = this.backoff.next();
    }
    if (end.kind === 'closed') this.logger.log(`event stream closed (${end.reason}); reconnecting in ${delay} ms`);
    else this.logger.warn(`event stream ended (${reason}); reconnecting in ${delay} ms`);
    this.publishStatus();
    this.schedule(delay);
  }

  private handle(json: string): void {
    const receivedAt = new Date();
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      this.logger.warn(`event is not JSON (${json.length} chars): ignored`);
      return;
    }
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as { tag?: unknown }).tag !== 'string') return;
    const event = parsed as { tag: string; data: unknown };
    this.lastEventAt = receivedAt.getTime();
    this.rate.add();
    // Any event proves the stream delivers; the heartbeat is only how a silent one is asked.
    this.probe = null;
    const result = normalize({ tag: event.tag, data: event.data }, this.state, { rawJson: json, receivedAt });
    if (result.type !== 'activity') return;
    this.lagMs = receivedAt.getTime() - result.row.occurredAt.getTime();
    this.opts.queue.push(result.row, receivedAt);
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    const link = this.current;
    if (link?.open) {
      if (link.generation !== this.opts.client.connectionGeneration) {
        this.reconnectNow('connection settings changed');
        return;
      }
      const quietSince = Math.max(link.lastByteAt, link.openedAt);
      if (this.probe && now > this.probe.deadline) {
        this.probe = null;
        link.conn.close(`liveness probe unanswered for ${this.probeTimeoutMs} ms`);
        return;
      }
      if (!this.probe && now - quietSince >= this.silentMs) this.sendProbe(link, now);
      const refreshAt = this.opts.client.refreshAt;
      if (refreshAt && now >= refreshAt && now >= this.nextRefreshTry && !this.refreshing) void this.refresh(link);
      if (now - this.lastSweep >= (this.opts.sweepIntervalMs ?? 30_000) && !this.recovery.busy && !this.gap) {
        this.lastSweep = now;
        for (const row of this.state.sweepNoReturns(new Date(now), this.noReturnDeadlineMs)) this.opts.queue.push(row);
      }
    }
    this.publishStatus();
  }

  private sendProbe(link: Link, now: number): void {
    this.probe = { sentAt: now, deadline: now + this.probeTimeoutMs };
    this.opts.client.hook(HEARTBEAT_HOOK, { probe: now, from: 'sylvite' }).catch((err: Error) => {
      if (this.current === link && this.probe) {
        this.probe = null;
        link.conn.close(`liveness probe failed: ${err.message}`);
      }
    });
  }

  /**
   * Make before break: log in anew, open a second stream, and only when it is subscribed close the
   * old one. Events seen on both meanwhile are the same events; the dedupe ledger keeps one.
   */
  private async refresh(old: Link): Promise<void> {
    this.refreshing = true;
    try {
      const login = await this.opts.client.relogin();
      if (this.stopped || this.current !== old) return;
      const next = this.open(login.token);
      const ok = await next.opened;
      if (!ok || this.stopped || this.current !== old) {
        next.conn.close('superseded');
        return;
      }
      this.current = next;
      this.state.setApiUser(login.user);
      old.conn.close('token refreshed');
      void this.follow(next);
    } catch (err) {
      this.nextRefreshTry = Date.now() + 30_000;
      this.logger.warn(`token refresh failed: ${(err as Error).message}; the stream reconnects when the token expires`);
    } finally {
      this.refreshing = false;
    }
  }

  /** The ingest queue overflowed: recover the interval like a reconnect gap. */
  queueOverflowed(from: Date, to: Date, dropped: number): void {
    this.recovery.recover({ from, to, reason: 'queue-overflow', dropped });
  }

  private async seedPendingKeys(): Promise<void> {
    try {
      const keys = await this.opts.client.keys();
      this.state.seedPendingKeys(keys.minions_pre);
    } catch (err) {
      this.logger.debug(`GET /keys failed (is the wheel client enabled?): ${(err as Error).message}`);
    }
  }

  private fail(message: string): void {
    this.lastError = message;
    this.phase = 'reconnecting';
    this.logger.warn(message);
    this.publishStatus();
  }

  /** Only a changed status is published: every SSE client gets each one as a frame. */
  private publishStatus(): void {
    const status = this.status;
    const text = JSON.stringify(status);
    if (text === this.lastStatusText) return;
    this.lastStatusText = text;
    this.opts.status.next(status);
  }
}

export function describeEnd(end: StreamEnd): string {
  switch (end.kind) {
    case 'eof':
      return 'eof';
    case 'http':
      return `http ${end.status}${end.text ? ` ${end.text}` : ''}`;
    case 'network':
      return `network ${end.reason}`;
    case 'oversize':
      return `oversize ${end.reason}`;
    case 'closed':
      return end.reason;
  }
}
