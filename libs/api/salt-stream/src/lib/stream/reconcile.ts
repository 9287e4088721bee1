import type { SaltApiClient } from '../client/salt-api.client';
import type { SaltJobInfo, SaltJobSummary } from '../client/types';
import { normalize, type NormalizedActivity, type NormalizerState, type SaltEvent } from '../normalize';

/** What the store already holds for a jid. */
export interface StoredJob {
  /** A `job.new` is stored. */
  dispatched: boolean;
  /** Minions whose return (or no-return) is stored. */
  answered: number;
  /** Expected minions per the stored `job.new` (0 when unknown). */
  expected: number;
}

export interface ReconcileDeps {
  client: SaltApiClient;
  state: NormalizerState;
  /** Writes rows through the dedupe ledger; resolves with how many were new. */
  submit(rows: NormalizedActivity[]): Promise<number>;
  /** The store's view of these jids (rows since `since`). */
  storedJobs(jids: string[], since: Date): Promise<Map<string, StoredJob>>;
}

export interface ReconcileOptions {
  /** Jobs started this long before the gap may have returned during it. */
  lookbackMs?: number;
  /** Master and Sylvite clocks differ; jids are minted on the master. */
  skewMs?: number;
  /** At most this many `GET /jobs/<jid>` per reconciliation (newest first). */
  maxJobs?: number;
  concurrency?: number;
  now?: () => Date;
}

export interface ReconcileResult {
  /** Jobs in the index inside the window. */
  candidates: number;
  /** Jobs read with `GET /jobs/<jid>`. */
  fetched: number;
  /** Rows written that the stream had not delivered. */
  recovered: number;
  /** Jobs whose `GET /jobs/<jid>` failed twice: what the gap took of them is not recovered. */
  unfetched: string[];
}

const SKIP_FUNS = new Set(['saltutil.find_job', 'saltutil.running']);
const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** When a job started: from its jid (`%Y%m%d%H%M%S%f`, UTC since 3000), else `StartTime`. */
export function jobStartTime(jid: string, summary?: SaltJobSummary | null): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})\d*(?:_\d+)?$/.exec(jid);
  if (m) {
    const [, y, mo, d, h, mi, s, ms] = m.map(Number);
    const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    if (Number.isFinite(t)) return new Date(t);
  }
  const st = typeof summary?.StartTime === 'string' ? summary.StartTime : null;
  const sm = st ? /^(\d{4}), (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(st) : null;
  if (sm && MONTHS[sm[2]] !== undefined) {
    const ms = sm[7] ? Number(sm[7].slice(0, 3).padEnd(3, '0')) : 0;
    return new Date(Date.UTC(Number(sm[1]), MONTHS[sm[2]], Number(sm[3]), Number(sm[4]), Number(sm[5]), Number(sm[6]), ms));
  }
  return null;
}

function firstFun(fun: unknown): string | null {
  if (typeof fun === 'string') return fun;
  if (Array.isArray(fun) && typeof fun[0] === 'string') return fun.length === 1 ? fun[0] : fun.join(',');
  return null;
}

/** `datetime.isoformat()` without the offset, as Salt stamps events. */
function saltStamp(d: Date): string {
  return d.toISOString().replace('Z', '000');
}

/** The bus events a job's index entry stands for: its dispatch and one return per minion. */
export function eventsFromJob(jid: string, info: SaltJobInfo, startedAt: Date, returnedBy: Date): SaltEvent[] {
  const fun = info.Function;
  const name = firstFun(fun) ?? '';
  const defaulted = info.Error !== undefined || name === 'unknown-function';
  const user = defaulted ? undefined : info.User;
  const recovered = 'jobs-index';
  const events: SaltEvent[] = [];
  const results = info.Result ?? {};
  const retStamp = saltStamp(returnedBy);
  if (name.startsWith('runner.')) {
    events.push({ tag: `salt/run/${jid}/new`, data: { fun, jid, user: user ?? 'UNKNOWN', fun_args: info.Arguments ?? [], _stamp: saltStamp(startedAt), _recovered: recovered } });
    const entries = Object.values(results);
    if (entries.length === 1) {
      // The job cache keeps a runner's whole `ret` event load under the master's id.
      const r = entries[0];
      const inner = r.return;
      const load = inner && typeof inner === 'object' && !Array.isArray(inner) && 'return' in inner && 'fun' in inner ? (inner as Record<string, unknown>) : null;
      events.push({
        tag: `salt/run/${jid}/ret`,
        data: {
          fun, jid, user: user ?? 'UNKNOWN', fun_args: info.Arguments ?? [],
          return: load ? load['return'] : inner, success: (load ? load['success'] : r.success) ?? true, _stamp: retStamp, _recovered: recovered,
        },
      });
    }
    return events;
  }
  if (name.startsWith('wheel.')) return events;
  if (!defaulted) {
    events.push({
      tag: `salt/job/${jid}/new`,
      data: {
        jid, tgt_type: info['Target-type'], tgt: info.Target, user, fun, arg: info.Arguments ?? [], minions: info.Minions ?? [],
        _stamp: saltStamp(startedAt), _recovered: recovered,
      },
    });
  }
  for (const [minion, r] of Object.entries(results)) {
    const data: Record<string, unknown> = {
      cmd: '_return', id: minion, jid, fun, fun_args: info.Arguments ?? [], return: r.return,
      retcode: r.retcode ?? 0, success: r.success ?? true, _stamp: retStamp, _recovered: recovered,
    };
    if (r.out !== undefined) data['out'] = r.out;
    if (user) data['user'] = user;
    events.push({ tag: `salt/job/${jid}/ret/${minion}`, data });
  }
  return events;
}

/**
 * Recovers what a stream gap may have lost (PROTOCOL.md §3.4 step 3): lists the jobs index,
 * keeps jobs started in the window (or shortly before it, which may have returned during it)
 * whose dispatch or returns the store lacks, fetches each, and feeds the events they stand for
 * through the normalizer and the dedupe ledger, so nothing is stored twice.
 */
export async function reconcile(deps: ReconcileDeps, from: Date, to: Date, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  const lookbackMs = opts.lookbackMs ?? 15 * 60_000;
  const skewMs = opts.skewMs ?? 60_000;
  const maxJobs = opts.maxJobs ?? 500;
  const concurrency = opts.concurrency ?? 4;
  const apiUser = deps.state.apiUser;
  const since = new Date(from.getTime() - lookbackMs - skewMs);
  const until = new Date(to.getTime() + skewMs);

  const index = await deps.client.listJobs();
  const inWindow: { jid: string; start: Date }[] = [];
  for (const [jid, summary] of Object.entries(index)) {
    const name = firstFun(summary?.Function) ?? '';
    if (SKIP_FUNS.has(name) || name.startsWith('wheel.')) continue;
    const bare = name.startsWith('runner.') ? name.slice('runner.'.length) : name;
    if (apiUser && summary?.User === apiUser && deps.state.ownRunnerFunctions.has(bare)) continue;
    const start = jobStartTime(jid, summary);
    if (!start || start < since || start > until) continue;
    inWindow.push({ jid, start });
  }
  if (inWindow.length === 0) return { candidates: 0, fetched: 0, recovered: 0, unfetched: [] };

  const stored = await deps.storedJobs(inWindow.map((j) => j.jid), since);
  const todo = inWindow
    .filter(({ jid }) => {
      const s = stored.get(jid);
      // Every listed job whose dispatch the store lacks, whatever its returns say (its `job.new`
      // may have fallen into the gap while every return came after it), and every job with
      // returns outstanding. The dedupe ledger keeps one copy of what the stream also delivered.
      if (!s || !s.dispatched) return true;
      return s.expected === 0 || s.answered < s.expected;
    })
    .sort((a, b) => b.start.getTime() - a.start.getTime())
    .slice(0, maxJobs);

  let fetched = 0;
  let recovered = 0;
  const unfetched: string[] = [];
  const returnedBy = opts.now?.() ?? to;
  const work = [...todo];
  const worker = async () => {
    for (let j = work.shift(); j; j = work.shift()) {
      // One failed lookup (a reset keep-alive socket, a busy master) must not end the others'.
      const jid = j.jid;
      const detail = await deps.client.job(jid).catch(() => deps.client.job(jid)).catch(() => null);
      if (!detail) {
        unfetched.push(jid);
        continue;
      }
      fetched++;
      if (!detail.info || detail.info.Error !== undefined) continue;
      deps.state.applyJobsIndex(j.jid, detail.raw);
      const stamp = returnedBy < j.start ? j.start : returnedBy;
      const rows: NormalizedActivity[] = [];
      for (const event of eventsFromJob(j.jid, detail.info, j.start, stamp)) {
        const isNew = event.tag.endsWith('/new');
        const result = normalize(event, deps.state, { occurredAt: isNew ? j.start : stamp });
        if (result.type === 'activity') rows.push(result.row);
      }
      if (rows.length > 0) recovered += await deps.submit(rows);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  return { candidates: inWindow.length, fetched, recovered, unfetched };
}
