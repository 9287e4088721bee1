import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { ActivityBus } from '../activity-bus';
import type { NormalizedActivity } from '../normalize';
import { Backoff } from '../stream/backoff';
import type { BoundedQueue, Overflow } from './bounded-queue';
import {
  ACTIVITY_NOTIFY_CHANNEL, ensurePartitions, isDataError, toActivityDto, writeActivityBatch,
  type Backfill, type BatchResult, type WrittenRow,
} from './write-batch';

export interface StreamGap {
  startedAt: Date;
  endedAt: Date | null;
  /** `reconnect: eof`, `queue-overflow`, `rejected: 22P02 …` */
  reason: string;
  recovered?: number;
  dropped?: number;
}

export interface ActivityWriterOptions {
  databaseUrl: string;
  bus?: ActivityBus | null;
  /** Rows per transaction (PERFORMANCE.md: 1,000). */
  batchSize?: number;
  /** How long a small batch may wait for company, ms (≤ 250). Latency is `linger + commit`. */
  lingerMs?: number;
  notifyChannel?: string | null;
  /**
   * The queue refused rows: the caller reconciles the interval from the jobs index and records the
   * gap (with the dropped count). Without a handler the writer records it.
   */
  onOverflow?: (overflow: Overflow) => void;
}

export interface WriterStats {
  committed: number;
  batches: number;
  duplicates: number;
  rejected: number;
  backfilled: number;
  lastCommitAt: Date | null;
  lastBatchMs: number;
  lastBatchRows: number;
}

/** Jobs whose late context is remembered for their returns still queued. */
const RECENT_BACKFILLS = 5000;

type Op =
  | { kind: 'rows'; rows: NormalizedActivity[]; resolve: (r: BatchResult) => void; reject: (e: unknown) => void }
  | { kind: 'gap'; gap: StreamGap; resolve: () => void; reject: (e: unknown) => void };

/**
 * Drains the ingest queue into PostgreSQL on its own `pg` connection: batches of ≤ batchSize rows
 * (or whatever arrived within `lingerMs`), one transaction each (see writeActivityBatch). A batch
 * failing on its content is split in halves until the bad row is isolated and recorded; a lost
 * connection is retried with backoff while the queue absorbs the stream (overflow becomes a gap).
 * Committed rows go to the ActivityBus.
 */
export class ActivityWriter {
  private readonly logger = new Logger('ActivityWriter');
  private client: Client | null = null;
  private readonly knownDays = new Set<string>();
  private readonly backfills = new Map<string, Backfill>();
  private ops: Op[] = [];
  private running = false;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private kick: (() => void) | null = null;
  private drainDeadline = Infinity;
  /** Backfills already applied, kept a while for returns still in the queue. */
  private readonly recent = new Map<string, Backfill>();
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly notifyChannel: string | null;
  private readonly backoff = new Backoff({ initialMs: 250, maxMs: 10_000 });
  readonly stats: WriterStats = {
    committed: 0, batches: 0, duplicates: 0, rejected: 0, backfilled: 0, lastCommitAt: null, lastBatchMs: 0, lastBatchRows: 0,
  };

  constructor(private readonly queue: BoundedQueue<NormalizedActivity>, private readonly opts: ActivityWriterOptions) {
    this.batchSize = opts.batchSize ?? 1000;
    this.lingerMs = Math.min(250, Math.max(0, opts.lingerMs ?? 20));
    this.notifyChannel = opts.notifyChannel === undefined ? ACTIVITY_NOTIFY_CHANNEL : opts.notifyChannel;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  /** Writes what is queued (up to `drainMs`), then closes the connection. */
  async stop(drainMs = 5000): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.drainDeadline = Date.now() + drainMs;
    this.wake();
    await this.loopDone;
    this.running = false;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  /** Rows outside the stream (reconciliation): written ahead of the queue, resolved after commit. */
  submit(rows: NormalizedActivity[]): Promise<BatchResult> {
    if (rows.length === 0) return Promise.resolve({ written: [], duplicates: 0 });
    return new Promise<BatchResult>((resolve, reject) => {
      this.ops.push({ kind: 'rows', rows: [...rows], resolve, reject });
      this.wake();
    });
  }

  recordGap(gap: StreamGap): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.ops.push({ kind: 'gap', gap, resolve, reject });
      this.wake();
    });
  }

  /**
   * A job's initiator/target became known: rows still queued get it when written, stored rows
   * are updated in the next transaction.
   */
  backfill(b: Backfill): void {
    if (!b.initiator && !b.target) return;
    this.backfills.set(b.jid, b);
    this.wake();
  }

  /** Forget cached partitions (retention dropped some). */
  forgetPartitions(): void {
    this.knownDays.clear();
  }

  private wake(): void {
    const k = this.kick;
    this.kick = null;
    k?.();
    this.queue.wake();
  }

  private idle(): boolean {
    return this.queue.size === 0 && this.ops.length === 0 && this.backfills.size === 0 && !this.queue.peekOverflow();
  }

  private async loop(): Promise<void> {
    while (true) {
      if (this.stopping && (this.idle() || Date.now() > this.drainDeadline)) break;
      if (this.idle()) {
        await new Promise<void>((resolve) => {
          this.kick = resolve;
          void this.queue.whenNotEmpty().then(resolve);
        });
        continue;
      }
      if (this.lingerMs > 0 && !this.stopping && this.ops.length === 0 && this.queue.size > 0 && this.queue.size < this.batchSize) {
        await new Promise((r) => setTimeout(r, this.lingerMs));
      }
      try {
        await this.step();
      } catch (err) {
        if (this.stopping && Date.now() > this.drainDeadline) break;
        this.logger.warn(`database write failed, retrying: ${(err as Error).message}`);
        await this.reset();
        await new Promise((r) => setTimeout(r, this.backoff.next()));
      }
    }
    // Rows that could not be written before the deadline are a gap too.
    const left = this.queue.size;
    if (left > 0) this.logger.error(`stopped with ${left} rows unwritten`);
  }

  /** One unit of work; throws on connection-level failures (the loop retries with backoff). */
  private async step(): Promise<void> {
    const client = await this.connect();
    const op = this.ops[0];
    if (op) {
      if (op.kind === 'gap') {
        await insertGap(client, op.gap);
        this.ops.shift();
        op.resolve();
      } else {
        const result: BatchResult = { written: [], duplicates: 0 };
        while (op.rows.length > 0) {
          const part = op.rows.slice(0, this.batchSize);
          const r = await this.commit(client, part);
          op.rows.splice(0, part.length);
          result.written.push(...r.written);
          result.duplicates += r.duplicates;
        }
        this.ops.shift();
        op.resolve(result);
      }
      this.backoff.reset();
      return;
    }
    if (this.queue.size > 0 || this.backfills.size > 0) {
      const rows = this.queue.take(this.batchSize);
      try {
        await this.commit(client, rows);
      } catch (err) {
        // Not a content error: put nothing back in front of newer rows; keep the batch for the retry.
        this.ops.unshift({ kind: 'rows', rows, resolve: () => undefined, reject: () => undefined });
        throw err;
      }
    }
    const overflow = this.queue.size < this.queue.capacity ? this.queue.takeOverflow() : null;
    if (overflow) {
      this.logger.error(`ingest queue overflowed: ${overflow.dropped} events dropped between ${overflow.from.toISOString()} and ${overflow.to.toISOString()}`);
      // The connector records it once it has recovered what it can; without one, record it now.
      if (this.opts.onOverflow) this.opts.onOverflow(overflow);
      else await insertGap(client, { startedAt: overflow.from, endedAt: overflow.to, reason: 'queue-overflow', dropped: overflow.dropped });
    }
    this.backoff.reset();
  }

  /** Commits rows (splitting on content errors) and publishes what was new. */
  private async commit(client: Client, rows: NormalizedActivity[]): Promise<BatchResult> {
    const started = Date.now();
    const backfills = [...this.backfills.values()];
    this.backfills.clear();
    for (const b of backfills) {
      this.recent.delete(b.jid);
      this.recent.set(b.jid, b);
      if (this.recent.size > RECENT_BACKFILLS) this.recent.delete(this.recent.keys().next().value as string);
    }
    for (const r of rows) this.patch(r);
    let result: BatchResult;
    try {
      result = await this.commitSplitting(client, rows, backfills);
    } catch (err) {
      for (const b of backfills) if (!this.backfills.has(b.jid)) this.backfills.set(b.jid, b);
      throw err;
    }
    this.stats.batches++;
    this.stats.committed += result.written.length;
    this.stats.duplicates += result.duplicates;
    this.stats.lastBatchMs = Date.now() - started;
    this.stats.lastBatchRows = rows.length;
    if (result.written.length > 0) {
      this.stats.lastCommitAt = new Date();
      this.publish(result.written);
    }
    return result;
  }

  private async commitSplitting(client: Client, rows: NormalizedActivity[], backfills: Backfill[]): Promise<BatchResult> {
    try {
      await ensurePartitions(client, rows, this.knownDays);
      return await writeActivityBatch(client, rows, backfills, this.notifyChannel);
    } catch (err) {
      if (!isDataError(err)) throw err;
      // A dropped partition (retention) is a content error too: look the days up again.
      this.knownDays.clear();
      if (rows.length <= 1) {
        const row = rows[0];
        if (row) await this.reject(client, row, err);
        if (backfills.length > 0) await writeActivityBatch(client, [], backfills, null);
        return { written: [], duplicates: 0 };
      }
      const mid = Math.ceil(rows.length / 2);
      const left = await this.commitSplitting(client, rows.slice(0, mid), backfills);
      const right = await this.commitSplitting(client, rows.slice(mid), []);
      return { written: [...left.written, ...right.written], duplicates: left.duplicates + right.duplicates };
    }
  }

  private async reject(client: Client, row: NormalizedActivity, err: unknown): Promise<void> {
    const e = err as { code?: string; message?: string };
    this.stats.rejected++;
    this.logger.error(`row rejected (${row.tag}, ${row.dedupeKey}): ${e.code ?? ''} ${e.message ?? String(err)}`);
    await insertGap(client, {
      startedAt: row.occurredAt,
      endedAt: row.occurredAt,
      reason: `rejected: ${e.code ?? 'error'} ${(e.message ?? '').slice(0, 200)} (${row.dedupeKey.slice(0, 200)})`,
      dropped: 1,
    });
  }

  /** Gives a queued return the initiator/target its job's context supplied meanwhile. */
  private patch(r: NormalizedActivity): void {
    if (!r.needsBackfill || !r.jid) return;
    const b = this.recent.get(r.jid);
    if (!b) return;
    r.initiator ??= b.initiator;
    if (!r.target) {
      r.target = b.target;
      r.targetType ??= b.targetType;
    }
    r.searchText = [r.summary, r.minionId, r.fun, r.initiator, r.target].filter(Boolean).join(' ').slice(0, 2048).toLowerCase();
    r.needsBackfill = !r.initiator || !r.target;
    this.stats.backfilled++;
  }

  private publish(written: WrittenRow[]): void {
    const bus = this.opts.bus;
    if (!bus) return;
    bus.publish(written.map(toActivityDto), written.map((w) => w.row.minions), written.map((w) => w.row.args ?? null));
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const c = new Client({ connectionString: this.opts.databaseUrl, application_name: 'sylvite-ingest', statement_timeout: 60_000 });
    c.on('error', (err) => {
      this.logger.warn(`ingest connection error: ${err.message}`);
      if (this.client === c) this.client = null;
    });
    await c.connect();
    this.client = c;
    return c;
  }

  private async reset(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}

async function insertGap(client: Client, gap: StreamGap): Promise<void> {
  await client.query(
    'INSERT INTO stream_gaps (started_at, ended_at, reason, recovered, dropped) VALUES ($1, $2, $3, $4, $5)',
    [gap.startedAt, gap.endedAt, gap.reason.slice(0, 500), gap.recovered ?? 0, gap.dropped ?? 0],
  );
}
