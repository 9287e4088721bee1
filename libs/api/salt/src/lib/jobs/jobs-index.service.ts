import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Interval, SchedulerRegistry } from '@nestjs/schedule';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Subscription } from 'rxjs';
import {
  ActivityBus, DEFAULT_NORETURN_DEADLINE_MS, DEFAULT_OWN_RUNNER_FUNCTIONS, SaltApiClient, SaltStreamService,
  type ActivityBatch, type SaltJobInfo,
} from '@sylvite/api-salt-stream';
import { AppSettings } from '@sylvite/api-settings';
import { factFromActivity, factFromJobsIndex, jidTime, type JobFact } from './job-facts';
import { JobsRepository } from './jobs.repository';

/** How often, with the event stream off, salt-api's jobs runner is polled (SYLVITE_JOBS_POLL_SECONDS). */
export function pollIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['SYLVITE_JOBS_POLL_SECONDS']);
  return Number.isFinite(n) && n >= 1 && n <= 3600 ? n * 1000 : 30_000;
}

/** Jobs newer than this are discovered from `GET /jobs` by the poller. */
const DISCOVER_LOOKBACK_MS = 3600_000;
/** Running jobs younger than this are refreshed from `GET /jobs/<jid>` (salt keeps jobs 24 h). */
const REFRESH_LOOKBACK_MS = 24 * 3600_000;
const REFRESH_PER_TICK = 25;
const CATCH_UP_MAX_MS = 24 * 3600_000;
const CATCH_UP_PAGE = 2000;
const SKIP_FUNS = new Set(['saltutil.find_job', 'saltutil.running']);
/** Runner calls Sylvite itself makes: never jobs of the fleet. */
const OWN_RUNNERS = new Set([...DEFAULT_OWN_RUNNER_FUNCTIONS, 'cache.grains'].map((f) => `runner.${f}`));

/**
 * Keeps the jobs index current: from the activity rows the stream writes (on the replica that
 * writes them: it sees each batch once, after commit), from the activity store at boot (what was
 * written while nobody listened), from Sylvite's own dispatches, and — with the event stream off —
 * from salt-api's jobs runner on a schedule, one replica at a time under a lease. Every source
 * produces idempotent facts, so overlaps are harmless.
 */
@Injectable()
export class JobsIndexService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JobsIndex');
  private readonly replica = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private sub: Subscription | null = null;
  private chain: Promise<void> = Promise.resolve();
  private polling = false;
  private destroyed = false;
  readonly pollMs = pollIntervalMs();

  constructor(
    private readonly repo: JobsRepository,
    private readonly client: SaltApiClient,
    private readonly bus: ActivityBus,
    private readonly stream: SaltStreamService,
    private readonly settings: AppSettings,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.sub = this.bus.batches.subscribe((batch) => {
      if (this.stream.isLeader) this.enqueue(() => this.applyBatch(batch));
    });
    this.enqueue(async () => {
      await this.catchUp();
    });
    this.scheduler.addInterval('salt-jobs-poll', setInterval(() => void this.poll(), this.pollMs));
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    this.sub?.unsubscribe();
    if (this.scheduler.doesExist('interval', 'salt-jobs-poll')) this.scheduler.deleteInterval('salt-jobs-poll');
    await this.chain;
  }

  /** Work on the index runs one piece at a time, in arrival order. */
  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((err) => this.logger.error({ err }, 'jobs index update failed'));
  }

  /** Facts from elsewhere (a dispatch, a live answer): applied in order, failures logged. */
  record(facts: JobFact[]): Promise<void> {
    const run = this.chain.then(() => this.applyWithRetry(facts));
    this.chain = run.catch((err) => this.logger.error({ err }, 'jobs index update failed'));
    return run;
  }

  private async applyWithRetry(facts: JobFact[]): Promise<void> {
    if (!facts.length) return;
    try {
      await this.repo.apply(facts);
    } catch (err) {
      // A deadlock with another replica, or a short database hiccup: once more.
      this.logger.warn(`jobs index update failed, retrying once: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
      await this.repo.apply(facts);
    }
  }

  private async applyBatch(batch: ActivityBatch): Promise<void> {
    const rows = batch.rows.map((r, i) => ({ row: r, minions: batch.minions[i], args: batch.args?.[i] }));
    const jobRows = rows.filter((x) => x.row.category === 'job' && x.row.jid);
    if (!jobRows.length) return;
    const applies = jobRows.filter((x) => x.row.event_type === 'job.new' && x.row.fun === 'state.apply');
    // The writer hands over the `arg` it parsed; only a batch without it (relayed) reads the raw event back.
    const stored = await this.repo.newJobArgs(applies.filter((x) => x.args === undefined).map((x) => x.row));
    const args = new Map(applies.map((x) => [x.row.id, x.args === undefined ? (stored.get(x.row.id) ?? null) : x.args && [...x.args]]));
    const facts = jobRows
      .map((x) => factFromActivity(x.row, x.minions ?? null, args.get(x.row.id) ?? null))
      .filter((f): f is JobFact => f !== null);
    await this.applyWithRetry(facts);
  }

  /** Re-applies the job rows stored since the index was last updated (bounded to a day). */
  async catchUp(): Promise<number> {
    const last = await this.repo.lastUpdate();
    const floor = Date.now() - CATCH_UP_MAX_MS;
    const since = new Date(Math.max(floor, last ? last.getTime() - 10 * 60_000 : floor));
    let after = '0';
    let applied = 0;
    for (;;) {
      const rows = await this.repo.activityJobRows(since, after, CATCH_UP_PAGE);
      if (!rows.length || this.destroyed) break;
      const applies = rows.filter((r) => r.event_type === 'job.new' && r.fun === 'state.apply');
      const args = await this.repo.newJobArgs(applies);
      const facts = rows.map((r) => factFromActivity(r, r.minions, args.get(r.id) ?? null)).filter((f): f is JobFact => f !== null);
      await this.applyWithRetry(facts);
      applied += facts.length;
      after = rows[rows.length - 1].id;
      if (rows.length < CATCH_UP_PAGE) break;
    }
    if (applied) this.logger.log(`jobs index caught up with ${applied} stored job rows`);
    return applied;
  }

  /**
   * With the event stream off: discovers recent jobs from `GET /jobs` and refreshes running ones
   * from `GET /jobs/<jid>`, marking minions that have not returned by the deadline.
   */
  async poll(force = false): Promise<void> {
    if (this.polling || this.destroyed) return;
    if (!force && this.bus.status.value.state !== 'disabled') return;
    if (!this.client.configured) return;
    this.polling = true;
    try {
      if (!(await this.repo.lease('jobs-poll', this.replica, this.pollMs * 2))) return;
      const index = await this.client.listJobs();
      const now = Date.now();
      const fresh = Object.entries(index).filter(([jid, s]) => {
        const t = jidTime(jid);
        const fun = Array.isArray(s.Function) ? s.Function.join(',') : (s.Function ?? '');
        return t !== null && now - Date.parse(t) < DISCOVER_LOOKBACK_MS && !SKIP_FUNS.has(fun) && !OWN_RUNNERS.has(fun) && !fun.startsWith('wheel.');
      });
      const known = await this.repo.known(fresh.map(([jid]) => jid));
      const headers = fresh
        .filter(([jid]) => !known.has(jid))
        .map(([jid, s]) => factFromJobsIndex(jid, s))
        .filter((f): f is JobFact => f !== null);
      await this.record(headers);
      const running = await this.repo.running(REFRESH_PER_TICK, REFRESH_LOOKBACK_MS);
      const facts: JobFact[] = [];
      for (const job of running) {
        if (this.destroyed) break;
        const info = await this.client.jobInfo(job.jid);
        if (info) facts.push(...liveFacts(job.jid, info, job.started_at, now));
      }
      await this.record(facts);
    } catch (err) {
      this.logger.warn(`jobs poll failed: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  @Interval('salt-jobs-prune', 3600_000)
  async prune(): Promise<void> {
    try {
      const days = await this.settings.retentionDays();
      const removed = await this.repo.prune(new Date(Date.now() - days * 86_400_000));
      if (removed) this.logger.log(`jobs index: removed ${removed} jobs older than ${days} days`);
    } catch (err) {
      this.logger.warn(`jobs index prune failed: ${(err as Error).message}`);
    }
  }
}

/**
 * What `GET /jobs/<jid>` says: the job with its expected minions and returns; minions expected and
 * silent past the no-return deadline are marked as not returned.
 */
export function liveFacts(jid: string, info: SaltJobInfo, startedAt: Date | null, now: number): JobFact[] {
  const fact = factFromJobsIndex(jid, info, true);
  if (!fact) return [];
  const started = startedAt?.getTime() ?? (fact.started_at ? Date.parse(fact.started_at) : now);
  if (now - started > DEFAULT_NORETURN_DEADLINE_MS) {
    const answered = new Set(fact.returns.map((r) => r.minion_id));
    for (const m of fact.expected) {
      if (!answered.has(m)) fact.returns.push({ minion_id: m, outcome: 'noreturn', retcode: null, at: new Date(now).toISOString() });
    }
  }
  return [fact];
}
