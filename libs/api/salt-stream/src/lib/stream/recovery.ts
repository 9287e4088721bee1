import { Logger } from '@nestjs/common';
import type { SaltApiClient } from '../client/salt-api.client';
import type { StreamGap } from '../ingest/activity-writer';
import type { Backfill, BatchResult } from '../ingest/write-batch';
import type { NormalizedActivity, NormalizerState } from '../normalize';
import { reconcile, type ReconcileOptions, type StoredJob } from './reconcile';

/** An interval in which events may have been missed. */
export interface GapWindow {
  from: Date;
  to: Date;
  reason: string;
  dropped: number;
}

export interface RecoveryDeps {
  client: SaltApiClient;
  state: NormalizerState;
  writer: {
    submit(rows: NormalizedActivity[]): Promise<BatchResult>;
    recordGap(gap: StreamGap): Promise<void>;
    backfill(b: Backfill): void;
  };
  storedJobs(jids: string[], since: Date): Promise<Map<string, StoredJob>>;
  options?: ReconcileOptions & { enabled?: boolean };
  stopped(): boolean;
}

/**
 * Runs reconciliations one at a time (a gap that opens meanwhile is merged into the next run) and
 * records each gap with what it recovered.
 */
export class GapRecovery {
  private readonly logger = new Logger('SaltStream');
  private running: Promise<void> | null = null;
  private pending: GapWindow | null = null;

  constructor(private readonly deps: RecoveryDeps) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves when the current run ends, or after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    await Promise.race([this.running ?? Promise.resolve(), new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  recover(window: GapWindow): void {
    const { writer } = this.deps;
    if (this.deps.options?.enabled === false) {
      void writer.recordGap({ startedAt: window.from, endedAt: window.to, reason: window.reason, dropped: window.dropped }).catch(() => undefined);
      return;
    }
    if (this.running) {
      const p = this.pending;
      this.pending = p
        ? { from: p.from < window.from ? p.from : window.from, to: p.to > window.to ? p.to : window.to, reason: `${p.reason}; ${window.reason}`, dropped: p.dropped + window.dropped }
        : window;
      return;
    }
    this.running = (async () => {
      for (let w: GapWindow | null = window; w; w = this.pending, this.pending = null) {
        await this.runOne(w);
        if (this.deps.stopped()) break;
      }
    })().finally(() => {
      this.running = null;
    });
  }

  private async runOne(w: GapWindow): Promise<void> {
    const { client, state, storedJobs, writer } = this.deps;
    let recovered = 0;
    let reason = w.reason;
    try {
      const submit = async (rows: NormalizedActivity[]) => (await writer.submit(rows)).written.length;
      const r = await reconcile({ client, state, storedJobs, submit }, w.from, w.to, this.deps.options);
      recovered = r.recovered;
      if (r.unfetched.length) {
        const n = r.unfetched.length;
        reason += `; ${n} job${n === 1 ? '' : 's'} could not be read from salt-api: ${r.unfetched.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''}`;
      }
      this.logger.log(`reconciled ${w.from.toISOString()} → ${w.to.toISOString()}: ${r.candidates} jobs in the window, ${r.fetched} fetched, ${recovered} rows recovered`);
      if (r.unfetched.length) this.logger.warn(`reconciliation could not read ${r.unfetched.length} jobs: ${r.unfetched.slice(0, 5).join(', ')}`);
    } catch (err) {
      reason += `; reconciliation failed: ${(err as Error).message}`;
      this.logger.warn(`reconciliation failed: ${(err as Error).message}`);
    }
    await writer.recordGap({ startedAt: w.from, endedAt: w.to, reason, recovered, dropped: w.dropped }).catch((err: Error) => {
      this.logger.error(`could not record a stream gap: ${err.message}`);
    });
  }
}

/**
 * Fetches `GET /jobs/<jid>` for returns that lack initiator or target, one at a time (a burst of
 * returns of unknown jobs must not flood salt-api), at most 1,000 waiting, and hands what it
 * learns to the normalizer and the writer.
 */
export class JobBackfiller {
  private readonly logger = new Logger('SaltStream');
  private readonly waiting = new Set<string>();
  private readonly queue: string[] = [];

  constructor(private readonly deps: Pick<RecoveryDeps, 'client' | 'state' | 'writer' | 'stopped'>) {}

  request(jid: string): void {
    if (this.waiting.has(jid) || this.queue.length >= 1000) return;
    this.waiting.add(jid);
    this.queue.push(jid);
    if (this.queue.length === 1) void this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.deps.stopped()) {
      const jid = this.queue[0];
      try {
        const detail = await this.deps.client.job(jid);
        const ctx = this.deps.state.applyJobsIndex(jid, detail.raw);
        if (ctx) this.deps.writer.backfill({ jid, initiator: ctx.initiator, target: ctx.target, targetType: ctx.targetType });
      } catch (err) {
        this.logger.debug(`backfill of ${jid} failed: ${(err as Error).message}`);
      }
      this.queue.shift();
      this.waiting.delete(jid);
    }
  }
}
