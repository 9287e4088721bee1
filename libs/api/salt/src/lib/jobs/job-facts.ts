import { analyzeMinionReturn } from '@sylvite/api-salt-stream';
import type { SaltJobInfo, SaltJobSummary } from '@sylvite/api-salt-stream';

/** What a minion's entry in a job says: a return's outcome, or `noreturn` after the deadline. */
export type MinionOutcome = 'failed' | 'changes' | 'would_change' | 'ok' | 'noreturn';

export interface MinionReturnFact {
  minion_id: string;
  outcome: MinionOutcome;
  retcode: number | null;
  at: string | null;
}

/**
 * One thing learned about a job, from any source. Facts are idempotent: applying the same fact
 * twice, or facts in any order, leaves the same index.
 */
export interface JobFact {
  jid: string;
  /** The job's header comes from its dispatch (job.new, POST /api/run, the jobs index): it replaces stored values. */
  authoritative: boolean;
  started_at: string | null;
  fun: string | null;
  args: unknown[] | null;
  target: string | null;
  target_type: string | null;
  initiator: string | null;
  requested_by: string | null;
  request_id: string | null;
  /** Minions the master expected to run the job. */
  expected: string[];
  returns: MinionReturnFact[];
  /** A runner's own return (runner jobs have no minion). */
  runner_outcome: MinionOutcome | null;
}

export function emptyFact(jid: string, authoritative = false): JobFact {
  return {
    jid, authoritative, started_at: null, fun: null, args: null, target: null, target_type: null, initiator: null,
    requested_by: null, request_id: null, expected: [], returns: [], runner_outcome: null,
  };
}

/** Real jids are `%Y%m%d%H%M%S%f` in UTC (salt 3000+), optionally `_<n>`. */
export const JID_RE = /^\d{20}(?:_\d+)?$/;
const JID_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})\d*(?:_\d+)?$/;

/** When a job started, read from its jid; null for jids that are not timestamps. */
export function jidTime(jid: string): string | null {
  const m = JID_TIME.exec(jid);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  return Number.isFinite(t) && mo >= 1 && mo <= 12 ? new Date(t).toISOString() : null;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Positional arguments of a publish `arg` (without the trailing `__kwarg__` dict or `key=value` strings). */
export function positionalArgs(args: readonly unknown[]): unknown[] {
  return args.filter((a) => !(isDict(a) && a['__kwarg__'] === true) && !(typeof a === 'string' && /^[A-Za-z_]\w*=/.test(a)));
}

/**
 * A highstate: `state.highstate`, or `state.apply` without a state to apply. Null when that
 * cannot be told (a `state.apply` whose arguments are unknown).
 */
export function isHighstate(fun: string | null, args: readonly unknown[] | null): boolean | null {
  if (fun === 'state.highstate') return true;
  if (fun !== 'state.apply') return false;
  if (!args) return null;
  return positionalArgs(args).length === 0;
}

/** The `arg` of a publish as Salt stores it: positional args, then `{__kwarg__: true, …}` when kwargs were given. */
export function publishArgs(args: readonly unknown[], kwargs: Record<string, unknown> | undefined): unknown[] {
  return kwargs && Object.keys(kwargs).length ? [...args, { __kwarg__: true, ...kwargs }] : [...args];
}

function firstText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const s = v.filter((x): x is string => typeof x === 'string');
    return s.length ? s.join(',') : null;
  }
  return null;
}

const OUTCOME_RANK: Record<MinionOutcome, number> = { ok: 1, would_change: 2, changes: 3, noreturn: 0, failed: 4 };

/** Folds facts about the same jid into one, so one statement touches each row once. */
export function mergeFacts(facts: readonly JobFact[]): JobFact[] {
  const byJid = new Map<string, JobFact>();
  for (const f of facts) {
    const cur = byJid.get(f.jid);
    if (!cur) {
      byJid.set(f.jid, { ...f, expected: [...f.expected], returns: [...f.returns] });
      continue;
    }
    const header = ['started_at', 'fun', 'args', 'target', 'target_type', 'initiator'] as const;
    for (const k of header) {
      if (f.authoritative && f[k] !== null) (cur as unknown as Record<string, unknown>)[k] = f[k];
      else if (cur[k] === null) (cur as unknown as Record<string, unknown>)[k] = f[k];
    }
    cur.requested_by ??= f.requested_by;
    cur.request_id ??= f.request_id;
    cur.authoritative ||= f.authoritative;
    cur.expected.push(...f.expected);
    cur.returns.push(...f.returns);
    if (f.runner_outcome && (!cur.runner_outcome || OUTCOME_RANK[f.runner_outcome] > OUTCOME_RANK[cur.runner_outcome])) cur.runner_outcome = f.runner_outcome;
  }
  for (const f of byJid.values()) {
    f.expected = [...new Set(f.expected)].sort();
    const ret = new Map<string, MinionReturnFact>();
    for (const r of f.returns) {
      const prev = ret.get(r.minion_id);
      // A real return beats "did not return"; of two real returns the later one stands.
      if (!prev || (prev.outcome === 'noreturn' && r.outcome !== 'noreturn') || (r.outcome !== 'noreturn' && (r.at ?? '') >= (prev.at ?? ''))) ret.set(r.minion_id, r);
    }
    f.returns = [...ret.values()].sort((a, b) => (a.minion_id < b.minion_id ? -1 : a.minion_id > b.minion_id ? 1 : 0));
  }
  return [...byJid.values()].sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
}

/** The fields of an activity row (ActivityEventDto or a stored activity_events row) a fact needs. */
export interface JobActivityRow {
  event_type: string;
  occurred_at: string;
  jid: string | null;
  minion_id: string | null;
  fun: string | null;
  initiator: string | null;
  target: string | null;
  target_type: string | null;
  outcome: string;
  retcode: number | null;
}

const RETURN_OUTCOMES = new Set(['failed', 'changes', 'would_change', 'ok']);

/** The fact an activity row states; null for rows that are not about a job. */
export function factFromActivity(row: JobActivityRow, minions: readonly string[] | null, args: unknown[] | null = null): JobFact | null {
  if (!row.jid) return null;
  const f = emptyFact(row.jid, row.event_type === 'job.new');
  f.fun = row.fun;
  f.target = row.target;
  f.target_type = row.target_type;
  f.initiator = row.initiator;
  if (row.event_type === 'job.new') {
    f.started_at = row.occurred_at;
    f.expected = minions ? [...minions] : [];
    f.args = args;
    return f;
  }
  f.started_at = jidTime(row.jid) ?? row.occurred_at;
  if (row.event_type === 'job.ret' && RETURN_OUTCOMES.has(row.outcome)) {
    const outcome = row.outcome as MinionOutcome;
    if (row.minion_id) f.returns = [{ minion_id: row.minion_id, outcome, retcode: row.retcode, at: row.occurred_at }];
    else f.runner_outcome = outcome;
    return f;
  }
  if (row.event_type === 'job.noreturn' && row.minion_id) {
    f.returns = [{ minion_id: row.minion_id, outcome: 'noreturn', retcode: null, at: row.occurred_at }];
    return f;
  }
  return null;
}

/** What salt-api's jobs runner says about a job: its header (GET /jobs) and, with details, every return. */
export function factFromJobsIndex(jid: string, summary: SaltJobSummary | SaltJobInfo, details = false): JobFact | null {
  const info = summary as SaltJobInfo;
  if (info.Error !== undefined) return null;
  const fun = firstText(summary.Function);
  if (!fun || fun === 'unknown-function') return null;
  const f = emptyFact(jid, true);
  f.fun = fun;
  f.started_at = jidTime(jid);
  f.args = Array.isArray(summary.Arguments) ? summary.Arguments : null;
  f.target = firstText(summary.Target);
  f.target_type = typeof summary['Target-type'] === 'string' ? summary['Target-type'] : null;
  f.initiator = typeof summary.User === 'string' ? summary.User : null;
  const meta = isDict(summary.Metadata) ? summary.Metadata : {};
  f.requested_by = typeof meta['sylvite_user'] === 'string' ? meta['sylvite_user'] : null;
  f.request_id = typeof meta['sylvite_request_id'] === 'string' ? meta['sylvite_request_id'] : null;
  if (!details) return f;
  f.expected = Array.isArray(info.Minions) ? info.Minions.filter((m): m is string => typeof m === 'string') : [];
  for (const [minion, r] of Object.entries(info.Result ?? {})) {
    if (!isDict(r)) continue;
    const a = analyzeMinionReturn({ return: r.return, retcode: r.retcode, success: r.success, fun: summary.Function });
    if (fun.startsWith('runner.')) f.runner_outcome = a.outcome;
    else f.returns.push({ minion_id: minion, outcome: a.outcome, retcode: a.retcode, at: null });
  }
  return f;
}
