import { analyzeMinionReturn, DEFAULT_NORETURN_DEADLINE_MS, parseDuration, stateEntries, type SaltJobInfo } from '@sylvite/api-salt-stream';
import type { JobCounts, JobDetailDto, JobMinionDto, JobOutcome, JobSummaryDto, StateResultDto } from '@sylvite/contracts';
import type { JobMinionRow, JobRow, StoredReturnRow } from './jobs.repository';
import { jidTime } from './job-facts';

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const s = v.filter((x): x is string => typeof x === 'string');
    return s.length ? s.join(',') : null;
  }
  return null;
}

export function summaryFromRow(r: JobRow): JobSummaryDto {
  return {
    jid: r.jid,
    fun: r.fun,
    args: r.args,
    target: r.target,
    target_type: r.target_type,
    user: r.initiator,
    requested_by: r.requested_by,
    started_at: r.started_at.toISOString(),
    status: r.status,
    outcome: (r.outcome as JobOutcome | null) ?? null,
    counts: { targeted: r.targeted, returned: r.returned, failed: r.failed, noreturn: r.noreturn, pending: r.pending },
  };
}

/** `file_|-motd_|-/etc/motd_|-managed`: the id and name may themselves hold `_|-`, so split from both ends. */
export function splitStateKey(key: string): { state: string; id: string; name: string; function: string } {
  const parts = key.split('_|-');
  if (parts.length < 4) return { state: parts[0] ?? key, id: parts[1] ?? '', name: parts[2] ?? '', function: parts[3] ?? '' };
  const state = parts[0];
  const fn = parts[parts.length - 1];
  const middle = parts.slice(1, -1);
  // Ambiguous when id or name contain the separator: give the id one part, the name the rest.
  return { state, id: middle[0], name: middle.slice(1).join('_|-'), function: fn };
}

/** A state run's results, in execution order; null when the return is not a state return. */
export function stateResults(ret: unknown): StateResultDto[] | null {
  if (!isDict(ret) || !stateEntries(ret)) return null;
  const out: StateResultDto[] = [];
  for (const [key, e] of Object.entries(ret)) {
    if (!key.includes('_|-') || !isDict(e)) continue;
    const k = splitStateKey(key);
    const result = e['result'];
    out.push({
      key,
      ...k,
      result: result === true || result === false ? result : null,
      changes: e['changes'] ?? {},
      comment: e['comment'] ?? null,
      sls: typeof e['__sls__'] === 'string' ? e['__sls__'] : null,
      run_num: typeof e['__run_num__'] === 'number' ? e['__run_num__'] : null,
      duration_ms: parseDuration(e['duration']),
    });
  }
  return out.sort((a, b) => (a.run_num ?? Number.MAX_SAFE_INTEGER) - (b.run_num ?? Number.MAX_SAFE_INTEGER));
}

function counts(minions: readonly JobMinionDto[]): JobCounts {
  return {
    targeted: minions.filter((m) => m.targeted).length,
    returned: minions.filter((m) => m.state === 'returned').length,
    failed: minions.filter((m) => m.outcome === 'failed').length,
    noreturn: minions.filter((m) => m.state === 'noreturn').length,
    pending: minions.filter((m) => m.state === 'pending').length,
  };
}

const RANK: Record<JobOutcome, number> = { noreturn: 0, ok: 1, would_change: 2, changes: 3, failed: 4 };

function worst(minions: readonly JobMinionDto[]): JobOutcome | null {
  let w: JobOutcome | null = null;
  for (const m of minions) if (m.outcome && (w === null || RANK[m.outcome] > RANK[w])) w = m.outcome;
  return w;
}

function finish(base: Omit<JobDetailDto, 'counts' | 'status' | 'outcome'>, runnerOutcome: JobOutcome | null): JobDetailDto {
  const c = counts(base.minions);
  const isRunner = base.fun?.startsWith('runner.') ?? false;
  const complete = c.pending === 0 && (c.returned + c.noreturn > 0 || (isRunner && runnerOutcome !== null));
  return { ...base, counts: c, status: complete ? 'complete' : 'running', outcome: isRunner ? runnerOutcome : worst(base.minions) };
}

/**
 * The job as salt-api's job cache has it (`GET /jobs/<jid>`): every expected minion, returned or
 * pending, with its outcome and state results; the stored header adds who asked for it. Past the
 * no-return deadline (as the event stream reports it) a silent minion is `noreturn`.
 */
export function detailFromLive(jid: string, info: SaltJobInfo, stored: JobRow | null, now = Date.now()): JobDetailDto {
  const expected = new Set((info.Minions ?? []).filter((m): m is string => typeof m === 'string'));
  const results = info.Result ?? {};
  const fun = text(info.Function);
  const startedAt = stored?.started_at.toISOString() ?? jidTime(jid);
  const overdue = startedAt !== null && now - Date.parse(startedAt) > DEFAULT_NORETURN_DEADLINE_MS;
  const ids = [...new Set([...expected, ...Object.keys(results)])].sort();
  let runnerOutcome: JobOutcome | null = null;
  const minions: JobMinionDto[] = [];
  for (const id of ids) {
    const r = results[id];
    if (!isDict(r)) {
      minions.push({
        id, state: overdue ? 'noreturn' : 'pending', targeted: true, outcome: overdue ? 'noreturn' : null,
        success: null, retcode: null, changes_count: null, duration_ms: null, states: null,
      });
      continue;
    }
    const a = analyzeMinionReturn({ return: r['return'], retcode: r['retcode'], success: r['success'], fun: info.Function });
    if (fun?.startsWith('runner.')) runnerOutcome = a.outcome;
    const states = stateResults(r['return']);
    minions.push({
      id,
      state: 'returned',
      targeted: expected.has(id),
      outcome: a.outcome,
      success: a.success,
      retcode: a.retcode,
      changes_count: a.changesCount,
      duration_ms: a.durationMs,
      states,
      ...(states ? {} : { return: r['return'] }),
    });
  }
  const meta = isDict(info.Metadata) ? info.Metadata : {};
  return finish(
    {
      jid,
      fun,
      args: Array.isArray(info.Arguments) ? info.Arguments : (stored?.args ?? null),
      target: text(info.Target),
      target_type: typeof info['Target-type'] === 'string' ? info['Target-type'] : null,
      user: typeof info.User === 'string' ? info.User : (stored?.initiator ?? null),
      requested_by: stored?.requested_by ?? (typeof meta['sylvite_user'] === 'string' ? meta['sylvite_user'] : null),
      started_at: startedAt ?? new Date(now).toISOString(),
      minions,
      source: 'salt-api',
      live_error: null,
    },
    runnerOutcome,
  );
}

/** The job from Sylvite's own index and activity store, when salt-api cannot answer. */
export function detailFromStored(job: JobRow, minionRows: readonly JobMinionRow[], returns: readonly StoredReturnRow[], liveError: string | null): JobDetailDto {
  const byId = new Map(returns.map((r) => [r.minion_id, r]));
  const minions: JobMinionDto[] = minionRows.map((m) => {
    const r = byId.get(m.minion_id);
    const outcome = (m.outcome as JobOutcome | null) ?? null;
    const state = outcome === null ? 'pending' : outcome === 'noreturn' ? 'noreturn' : 'returned';
    return {
      id: m.minion_id,
      state,
      targeted: m.expected,
      outcome,
      success: state === 'returned' ? (r?.success ?? (m.retcode === null ? null : m.retcode === 0)) : null,
      retcode: m.retcode ?? r?.retcode ?? null,
      changes_count: r?.changes_count ?? null,
      duration_ms: r?.duration_ms ?? null,
      states: null,
    };
  });
  return finish(
    {
      ...summaryFromRow(job),
      minions,
      source: 'stored',
      live_error: liveError,
    },
    (job.outcome as JobOutcome | null) ?? null,
  );
}
