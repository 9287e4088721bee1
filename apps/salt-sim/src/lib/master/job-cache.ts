import { EventEmitter } from 'node:events';
import { jidToTime } from '../util/time';

/** The `.load.p` of a job in the master job cache (`local_cache`). */
export interface JobLoad {
  fun?: string | string[];
  arg?: unknown[];
  tgt?: unknown;
  tgt_type?: string;
  user?: string;
  metadata?: Record<string, unknown>;
}

/** One minion's `return.p` (+ `out.p`). */
export interface MinionResult {
  return: unknown;
  retcode?: unknown;
  success?: unknown;
  out?: string;
}

export interface CachedJob {
  jid: string;
  load: JobLoad;
  /** From the `.minions.p` file; absent for runner jobs. */
  minions?: string[];
  results: Map<string, MinionResult>;
}

const JOB_ERROR = 'Cannot contact returner or no job with this jid';

/**
 * The master job cache, as the jobs runner reads it. Bounded: the oldest jobs go first, the way
 * `keep_jobs_seconds` would eventually drop them.
 */
export class JobCache {
  private readonly jobs = new Map<string, CachedJob>();
  private readonly events = new EventEmitter();

  constructor(private readonly capacity: number) {
    this.events.setMaxListeners(0);
  }

  save(jid: string, load: JobLoad, minions?: string[]): CachedJob {
    const job: CachedJob = { jid, load, minions, results: new Map() };
    this.jobs.set(jid, job);
    while (this.jobs.size > this.capacity) {
      const oldest = this.jobs.keys().next().value as string;
      this.jobs.delete(oldest);
    }
    return job;
  }

  get(jid: string): CachedJob | undefined {
    return this.jobs.get(jid);
  }

  get size(): number {
    return this.jobs.size;
  }

  addResult(jid: string, minion: string, result: MinionResult): void {
    this.jobs.get(jid)?.results.set(minion, result);
    this.events.emit(jid, minion, result);
  }

  /** Listens for returns of one jid (sync clients and runners wait on these). */
  onResult(jid: string, cb: (minion: string, result: MinionResult) => void): () => void {
    this.events.on(jid, cb);
    return () => this.events.off(jid, cb);
  }

  /** `salt.utils.jid.format_job_instance` (+ `StartTime`), the per-jid value of `jobs.list_jobs`. */
  formatJobInstance(job: CachedJob | undefined, jid: string, withMinions: boolean): Record<string, unknown> {
    if (!job) return { Error: JOB_ERROR, StartTime: jidToTime(jid) };
    const l = job.load;
    const out: Record<string, unknown> = {
      Function: l.fun ?? 'unknown-function',
      Arguments: [...(l.arg ?? [])],
      Target: l.tgt ?? 'unknown-target',
      'Target-type': l.tgt_type ?? 'list',
      User: l.user ?? 'root',
    };
    if (l.metadata !== undefined) out['Metadata'] = l.metadata;
    if (withMinions && job.minions) out['Minions'] = job.minions;
    out['StartTime'] = jidToTime(jid);
    return out;
  }

  /** `jobs.list_jobs`: every cached job, oldest first. */
  listJobs(filter?: { fun?: string; target?: string }): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [jid, job] of this.jobs) {
      if (filter?.fun && !String(job.load.fun ?? '').includes(filter.fun)) continue;
      if (filter?.target && String(job.load.tgt ?? '') !== filter.target) continue;
      out[jid] = this.formatJobInstance(job, jid, false);
    }
    return out;
  }

  /** `jobs.list_job`: `{jid, …instance, Minions, StartTime, Result}`. */
  listJob(jid: string): Record<string, unknown> {
    const job = this.jobs.get(jid);
    const out: Record<string, unknown> = { jid, ...this.formatJobInstance(job, jid, true) };
    const result: Record<string, unknown> = {};
    if (job) for (const [m, r] of job.results) result[m] = { ...r };
    out['Result'] = result;
    return out;
  }

  /** `jobs.lookup_jid`: `{minion: return}`. */
  lookupJid(jid: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const job = this.jobs.get(jid);
    if (job) for (const [m, r] of job.results) out[m] = r.return;
    return out;
  }

  all(): IterableIterator<CachedJob> {
    return this.jobs.values();
  }
}
