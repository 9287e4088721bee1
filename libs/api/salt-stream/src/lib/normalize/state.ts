import { BoundedMap } from './bounded-map';
import { jobContextFromIndex } from './jobs-index';
import { noReturnRows, type TrackedJob } from './noreturn';
import { DEFAULT_RAW_CAP_BYTES } from './raw';
import type { JobContext, NormalizedActivity } from './types';

/** The runner calls Sylvite makes through salt-api (GET /jobs, GET /jobs/<jid>, status probes). */
export const DEFAULT_OWN_RUNNER_FUNCTIONS: readonly string[] = [
  'jobs.list_job',
  'jobs.list_jobs',
  'jobs.lookup_jid',
  'jobs.print_job',
  'jobs.active',
  'jobs.exit_success',
  'jobs.last_run',
  'manage.status',
  'manage.up',
  'manage.down',
  'manage.present',
  'manage.alived',
  'cache.grains',
  'cache.mine',
];

/** The liveness probe the connector POSTs to `/hook/sylvite/heartbeat` returns on this tag. */
export const DEFAULT_HEARTBEAT_TAG_PREFIX = 'salt/netapi/hook/sylvite/';

/** Called once per jid whose returns lack initiator or target (never once per return). */
export type BackfillHook = (jid: string) => void;

export interface NormalizerOptions {
  /** The salt-api login Sylvite uses; its own runner calls are not activity. */
  apiUser?: string | null;
  /** Runner functions (without the `runner.` prefix) that are Sylvite's own when run by `apiUser`. */
  ownRunnerFunctions?: Iterable<string>;
  /** Jobs remembered for backfill and `job.noreturn` (least recently used forgotten). */
  jobCacheSize?: number;
  /** Minions remembered for key state and start dedupe. */
  minionMemorySize?: number;
  /** A second start of a minion within this window, without a distinguishing start time, is the pair's twin. */
  startDedupeWindowMs?: number;
  heartbeatTagPrefix?: string;
  rawCapBytes?: number;
  onBackfillNeeded?: BackfillHook;
}

/** What `salt/auth` last said about a minion's key, so repeats are not stored again. */
export type AuthMemory = 'pending' | 'denied' | 'full' | 'auth_rejected';

interface StartMemory {
  at: number;
  /** The minion's own "started at <asctime>" text: identical in both events of one start. */
  marker: string | null;
}

/**
 * The normalizer's memory between events: a bounded jid cache (for backfill and `job.noreturn`),
 * key states (for `pend` repeats), recent starts (for the `minion_start` pair), and who "we" are.
 * One instance per stream; not shared across replicas (only the leader normalizes).
 */
export class NormalizerState {
  readonly ownRunnerFunctions: ReadonlySet<string>;
  readonly startDedupeWindowMs: number;
  readonly heartbeatTagPrefix: string;
  readonly rawCapBytes: number;
  private apiUserName: string | null;
  private readonly jobs: BoundedMap<string, TrackedJob>;
  private readonly auth: BoundedMap<string, AuthMemory>;
  private readonly starts: BoundedMap<string, StartMemory>;
  private readonly backfillAsked: BoundedMap<string, true>;
  private readonly onBackfillNeeded: BackfillHook | undefined;

  constructor(options: NormalizerOptions = {}) {
    this.apiUserName = options.apiUser ?? null;
    this.ownRunnerFunctions = new Set(options.ownRunnerFunctions ?? DEFAULT_OWN_RUNNER_FUNCTIONS);
    this.startDedupeWindowMs = options.startDedupeWindowMs ?? 60_000;
    this.heartbeatTagPrefix = options.heartbeatTagPrefix ?? DEFAULT_HEARTBEAT_TAG_PREFIX;
    this.rawCapBytes = options.rawCapBytes ?? DEFAULT_RAW_CAP_BYTES;
    const jobCacheSize = options.jobCacheSize ?? 20_000;
    const minionMemorySize = options.minionMemorySize ?? 100_000;
    this.jobs = new BoundedMap(jobCacheSize);
    this.backfillAsked = new BoundedMap(jobCacheSize);
    this.auth = new BoundedMap(minionMemorySize);
    this.starts = new BoundedMap(minionMemorySize);
    this.onBackfillNeeded = options.onBackfillNeeded;
  }

  get apiUser(): string | null {
    return this.apiUserName;
  }

  /** The Salt connection settings changed. */
  setApiUser(user: string | null): void {
    this.apiUserName = user;
  }

  get jobCount(): number {
    return this.jobs.size;
  }

  /** Remembers a job; fields already known are kept when the new context lacks them. */
  rememberJob(ctx: JobContext): void {
    const existing = this.jobs.get(ctx.jid);
    if (!existing) {
      const pending = ctx.minions.length > 0 && ctx.dispatchedAt ? new Set(ctx.minions) : null;
      this.jobs.set(ctx.jid, { ctx, pending });
      return;
    }
    const old = existing.ctx;
    if (!old.dispatchedAt && ctx.dispatchedAt && ctx.minions.length > 0 && !existing.pending) {
      // Known from the jobs index first, dispatch seen later: start waiting for returns now.
      existing.pending = new Set(ctx.minions);
    }
    existing.ctx = {
      jid: ctx.jid,
      fun: ctx.fun ?? old.fun,
      initiator: ctx.initiator ?? old.initiator,
      target: ctx.target ?? old.target,
      targetType: ctx.targetType ?? old.targetType,
      dispatchedAt: old.dispatchedAt ?? ctx.dispatchedAt,
      minions: old.minions.length > 0 ? old.minions : ctx.minions,
    };
  }

  job(jid: string): JobContext | undefined {
    return this.jobs.get(jid)?.ctx;
  }

  /** A minion returned: it no longer counts towards `job.noreturn`. */
  markReturned(jid: string, minionId: string): void {
    const tracked = this.jobs.peek(jid);
    if (!tracked?.pending) return;
    tracked.pending.delete(minionId);
    if (tracked.pending.size === 0) tracked.pending = null;
  }

  /**
   * Fires the backfill hook the first time a jid needs it. Returns whether it fired: callers of a
   * hook-less state can use the row's `needsBackfill` flag instead.
   */
  requestBackfill(jid: string): boolean {
    if (this.backfillAsked.has(jid)) return false;
    this.backfillAsked.set(jid, true);
    this.onBackfillNeeded?.(jid);
    return true;
  }

  /**
   * Feeds a `GET /jobs/<jid>` answer back: later returns of that job get initiator and target
   * from it. Returns the context it learned, or null when the index knew nothing.
   */
  applyJobsIndex(jid: string, payload: unknown): JobContext | null {
    const ctx = jobContextFromIndex(jid, payload);
    if (ctx) this.rememberJob(ctx);
    return ctx ? (this.job(jid) ?? ctx) : null;
  }

  authMemory(minionId: string): AuthMemory | undefined {
    return this.auth.peek(minionId);
  }

  setAuthMemory(minionId: string, memory: AuthMemory | null): void {
    if (memory === null) this.auth.delete(minionId);
    else this.auth.set(minionId, memory);
  }

  /** Keys already waiting when Sylvite connects (`GET /keys` `minions_pre`): their `pend` repeats are not new. */
  seedPendingKeys(minionIds: Iterable<string>): void {
    for (const id of minionIds) this.auth.set(id, 'pending');
  }

  /** Records a start; false when it is the twin of one already counted. */
  noteStart(minionId: string, at: Date, marker: string | null): boolean {
    const prev = this.starts.peek(minionId);
    const now = at.getTime();
    if (prev) {
      const twin =
        prev.marker !== null && marker !== null
          ? prev.marker === marker
          : Math.abs(now - prev.at) <= this.startDedupeWindowMs;
      if (twin) return false;
    }
    this.starts.set(minionId, { at: now, marker });
    return true;
  }

  /**
   * `job.noreturn` rows for every minion that had not returned `deadlineMs` after its job was
   * dispatched. Each missing minion is reported once; a late return is still stored as `job.ret`.
   */
  sweepNoReturns(now: Date, deadlineMs: number): NormalizedActivity[] {
    const rows = noReturnRows(this.jobs.values(), now, deadlineMs);
    for (const row of rows) {
      if (row.jid) {
        const tracked = this.jobs.peek(row.jid);
        if (tracked) tracked.pending = null;
      }
    }
    return rows;
  }
}
