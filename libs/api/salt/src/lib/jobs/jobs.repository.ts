import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { globToRegExp } from '@sylvite/contracts';
import { sqlRows } from '@sylvite/api-core';
import type { MinionScope } from '../target/target';
import { isHighstate, mergeFacts, type JobActivityRow, type JobFact } from './job-facts';

export interface JobRow {
  jid: string;
  started_at: Date;
  fun: string | null;
  args: unknown[] | null;
  target: string | null;
  target_type: string | null;
  initiator: string | null;
  requested_by: string | null;
  request_id: string | null;
  targeted: number;
  returned: number;
  failed: number;
  noreturn: number;
  pending: number;
  outcome: string | null;
  status: 'running' | 'complete';
}

export interface JobMinionRow {
  minion_id: string;
  expected: boolean;
  outcome: string | null;
  retcode: number | null;
  returned_at: Date | null;
}

export interface StoredReturnRow {
  minion_id: string;
  outcome: string;
  retcode: number | null;
  duration_ms: number | null;
  changes_count: number | null;
  success: boolean | null;
  occurred_at: Date;
}

export interface LastJobRow {
  minion_id: string;
  jid: string;
  fun: string | null;
  started_at: Date;
  outcome: string | null;
}

export interface JobsListQuery {
  fun?: string;
  user?: string;
  target?: string;
  minion?: string;
  status?: 'running' | 'complete';
  since?: string;
  until?: string;
  before?: { at: string; jid: string };
  limit: number;
  offset: number;
}

const JOB_COLUMNS = `j.jid, j.started_at, j.fun, j.args, j.target, j.target_type, j.initiator, j.requested_by, j.request_id,
  j.outcome, j.status`;

function regexes(scope: readonly string[]): string[] {
  return scope.map((g) => globToRegExp(g).source);
}

/** The jobs index in PostgreSQL (tables `salt_jobs`, `salt_job_minions`; migration SaltJobs). */
@Injectable()
export class JobsRepository {
  constructor(private readonly db: DataSource) {}

  /** Applies facts idempotently, in jid order (concurrent replicas lock rows in the same order). */
  async apply(facts: readonly JobFact[]): Promise<number> {
    const merged = mergeFacts(facts);
    if (!merged.length) return 0;
    await this.db.transaction(async (m) => {
      for (const authoritative of [true, false]) {
        const part = merged.filter((f) => f.authoritative === authoritative);
        if (part.length) await this.upsertHeaders(m, part, authoritative);
      }
      const jids = merged.map((f) => f.jid);
      const expected = merged.flatMap((f) => f.expected.map((id) => [f.jid, id] as const));
      if (expected.length) {
        await m.query(
          `INSERT INTO salt_job_minions (jid, minion_id, expected, started_at)
           SELECT e.jid, e.minion_id, true, j.started_at
             FROM unnest($1::text[], $2::text[]) AS e(jid, minion_id) JOIN salt_jobs j ON j.jid = e.jid
           ON CONFLICT (jid, minion_id) DO UPDATE SET expected = true`,
          [expected.map((e) => e[0]), expected.map((e) => e[1])],
        );
      }
      const rets = merged.flatMap((f) => f.returns.map((r) => ({ jid: f.jid, ...r })));
      if (rets.length) {
        await m.query(
          `INSERT INTO salt_job_minions AS m (jid, minion_id, outcome, retcode, returned_at, started_at)
           SELECT r.jid, r.minion_id, r.outcome, r.retcode, r.at, j.started_at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[]) AS r(jid, minion_id, outcome, retcode, at)
             JOIN salt_jobs j ON j.jid = r.jid
           ON CONFLICT (jid, minion_id) DO UPDATE SET
             outcome = CASE WHEN EXCLUDED.outcome = 'noreturn' AND m.outcome IS NOT NULL THEN m.outcome ELSE EXCLUDED.outcome END,
             retcode = CASE WHEN EXCLUDED.outcome = 'noreturn' AND m.outcome IS NOT NULL THEN m.retcode ELSE EXCLUDED.retcode END,
             returned_at = CASE WHEN EXCLUDED.outcome = 'noreturn' AND m.outcome IS NOT NULL THEN m.returned_at
                                ELSE coalesce(EXCLUDED.returned_at, m.returned_at) END`,
          [rets.map((r) => r.jid), rets.map((r) => r.minion_id), rets.map((r) => r.outcome), rets.map((r) => r.retcode), rets.map((r) => r.at)],
        );
      }
      await this.recompute(m, jids);
    });
    return merged.length;
  }

  private async upsertHeaders(m: EntityManager, facts: JobFact[], authoritative: boolean): Promise<void> {
    // Authoritative facts (the dispatch) overwrite; others only fill what is missing.
    const pick = (col: string) => (authoritative ? `coalesce(EXCLUDED.${col}, j.${col})` : `coalesce(j.${col}, EXCLUDED.${col})`);
    const rows = facts.map((f) => ({
      jid: f.jid,
      started_at: f.started_at,
      fun: f.fun,
      args: f.args,
      target: f.target,
      target_type: f.target_type,
      initiator: f.initiator,
      requested_by: f.requested_by,
      request_id: f.request_id,
      highstate: isHighstate(f.fun, f.args),
      outcome: f.runner_outcome,
    }));
    await m.query(
      `INSERT INTO salt_jobs AS j (jid, started_at, fun, args, target, target_type, initiator, requested_by, request_id, highstate, outcome)
       SELECT x.jid, coalesce(x.started_at, now()), x.fun, x.args, x.target, x.target_type, x.initiator, x.requested_by, x.request_id,
              x.highstate, x.outcome
         FROM jsonb_to_recordset($1::jsonb) AS x(jid text, started_at timestamptz, fun text, args jsonb, target text, target_type text,
              initiator text, requested_by text, request_id text, highstate boolean, outcome text)
       ON CONFLICT (jid) DO UPDATE SET
         started_at = ${authoritative ? 'coalesce(EXCLUDED.started_at, j.started_at)' : 'j.started_at'},
         fun = ${pick('fun')}, args = ${pick('args')}, target = ${pick('target')}, target_type = ${pick('target_type')},
         initiator = ${pick('initiator')}, highstate = ${pick('highstate')},
         requested_by = coalesce(j.requested_by, EXCLUDED.requested_by), request_id = coalesce(j.request_id, EXCLUDED.request_id),
         outcome = coalesce(EXCLUDED.outcome, j.outcome)`,
      [JSON.stringify(rows)],
    );
  }

  /** Counts, outcome and status from the per-minion rows; the job's start and kind copied onto them. */
  private async recompute(m: EntityManager, jids: string[]): Promise<void> {
    await m.query(
      `UPDATE salt_jobs j SET
         targeted = c.t, returned = c.r, failed = c.f, noreturn = c.n,
         outcome = CASE WHEN j.fun LIKE 'runner.%' THEN j.outcome ELSE c.worst END,
         status = CASE WHEN c.p = 0 AND (c.r + c.n > 0 OR (j.fun LIKE 'runner.%' AND j.outcome IS NOT NULL)) THEN 'complete' ELSE 'running' END,
         updated_at = now()
       FROM (
         SELECT k.jid,
                count(x.minion_id) FILTER (WHERE x.expected) AS t,
                count(x.minion_id) FILTER (WHERE x.outcome IS NOT NULL AND x.outcome <> 'noreturn') AS r,
                count(x.minion_id) FILTER (WHERE x.outcome = 'failed') AS f,
                count(x.minion_id) FILTER (WHERE x.outcome = 'noreturn') AS n,
                count(x.minion_id) FILTER (WHERE x.expected AND x.outcome IS NULL) AS p,
                (ARRAY['noreturn', 'ok', 'would_change', 'changes', 'failed'])[1 + max(CASE x.outcome
                   WHEN 'ok' THEN 1 WHEN 'would_change' THEN 2 WHEN 'changes' THEN 3 WHEN 'failed' THEN 4 WHEN 'noreturn' THEN 0 END)] AS worst
           FROM unnest($1::text[]) AS k(jid) LEFT JOIN salt_job_minions x ON x.jid = k.jid
          GROUP BY k.jid
       ) c
       WHERE j.jid = c.jid`,
      [jids],
    );
    await m.query(
      `UPDATE salt_job_minions x SET started_at = j.started_at, fun = j.fun, highstate = coalesce(j.highstate, false)
         FROM salt_jobs j
        WHERE x.jid = j.jid AND j.jid = ANY($1::text[])
          AND (x.started_at IS DISTINCT FROM j.started_at OR x.fun IS DISTINCT FROM j.fun OR x.highstate IS DISTINCT FROM coalesce(j.highstate, false))`,
      [jids],
    );
  }

  /** A page of the index, newest first, narrowed to the scope (a job is visible when one of its minions is). */
  async list(q: JobsListQuery, scope: MinionScope): Promise<JobRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    let counts = `j.targeted, j.returned, j.failed, j.noreturn,
      (SELECT count(*) FROM salt_job_minions x WHERE x.jid = j.jid AND x.expected AND x.outcome IS NULL)::int AS pending`;
    const scopeRe = scope === '*' ? null : p(regexes(scope));
    if (scopeRe) {
      where.push(`EXISTS (SELECT 1 FROM salt_job_minions x WHERE x.jid = j.jid AND x.minion_id ~ ANY(${scopeRe}::text[]))`);
      // Counts over the minions the caller may see only.
      counts = `s.targeted, s.returned, s.failed, s.noreturn, s.pending`;
    }
    if (q.fun) where.push(`j.fun ~ ${p(globToRegExp(q.fun).source)}`);
    if (q.user) where.push(`(lower(j.initiator) = lower(${p(q.user)}) OR lower(j.requested_by) = lower($${params.length}))`);
    if (q.target) {
      const re = p(globToRegExp(q.target).source);
      where.push(`(j.target ~ ${re} OR EXISTS (SELECT 1 FROM salt_job_minions x WHERE x.jid = j.jid AND x.minion_id ~ ${re}))`);
    }
    if (q.minion) where.push(`EXISTS (SELECT 1 FROM salt_job_minions x WHERE x.jid = j.jid AND x.minion_id = ${p(q.minion)})`);
    if (q.status) where.push(`j.status = ${p(q.status)}`);
    if (q.since) where.push(`j.started_at >= ${p(q.since)}::timestamptz`);
    if (q.until) where.push(`j.started_at < ${p(q.until)}::timestamptz`);
    if (q.before) where.push(`(j.started_at, j.jid) < (${p(q.before.at)}::timestamptz, ${p(q.before.jid)})`);
    const scoped =
      scopeRe === null
        ? ''
        : `CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE x.expected)::int AS targeted,
                    count(*) FILTER (WHERE x.outcome IS NOT NULL AND x.outcome <> 'noreturn')::int AS returned,
                    count(*) FILTER (WHERE x.outcome = 'failed')::int AS failed,
                    count(*) FILTER (WHERE x.outcome = 'noreturn')::int AS noreturn,
                    count(*) FILTER (WHERE x.expected AND x.outcome IS NULL)::int AS pending
               FROM salt_job_minions x WHERE x.jid = j.jid AND x.minion_id ~ ANY(${scopeRe}::text[])) s`;
    const sql = `SELECT ${JOB_COLUMNS}, ${counts}
      FROM salt_jobs j ${scoped}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY j.started_at DESC, j.jid DESC
      LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`;
    return sqlRows<JobRow>(this.db, sql, params);
  }

  async get(jid: string): Promise<{ job: JobRow; minions: JobMinionRow[] } | null> {
    const [job] = await sqlRows<JobRow>(
      this.db,
      `SELECT ${JOB_COLUMNS}, j.targeted, j.returned, j.failed, j.noreturn,
              (SELECT count(*) FROM salt_job_minions x WHERE x.jid = j.jid AND x.expected AND x.outcome IS NULL)::int AS pending
         FROM salt_jobs j WHERE j.jid = $1`,
      [jid],
    );
    if (!job) return null;
    const minions = await sqlRows<JobMinionRow>(
      this.db,
      `SELECT minion_id, expected, outcome, retcode, returned_at FROM salt_job_minions WHERE jid = $1 ORDER BY minion_id`,
      [jid],
    );
    return { job, minions };
  }

  /** The stored `job.ret` rows of a job (the activity store), for the detail when salt-api cannot answer. */
  async storedReturns(jid: string): Promise<StoredReturnRow[]> {
    return sqlRows<StoredReturnRow>(
      this.db,
      `SELECT DISTINCT ON (minion_id) minion_id, outcome, retcode, duration_ms, changes_count, success, occurred_at
         FROM activity_events
        WHERE jid = $1 AND event_type = 'job.ret' AND minion_id IS NOT NULL
        ORDER BY minion_id, occurred_at DESC`,
      [jid],
    );
  }

  /** Each minion's newest job (or newest highstate) in the index: one index probe per minion. */
  async lastJobs(minionIds: readonly string[], highstateOnly: boolean): Promise<Map<string, LastJobRow>> {
    if (!minionIds.length) return new Map();
    const rows = await sqlRows<LastJobRow>(
      this.db,
      `SELECT ids.id AS minion_id, l.jid, l.fun, l.started_at, l.outcome
         FROM unnest($1::text[]) AS ids(id)
         CROSS JOIN LATERAL (
           SELECT x.jid, x.fun, x.started_at, x.outcome FROM salt_job_minions x
            WHERE x.minion_id = ids.id ${highstateOnly ? 'AND x.highstate' : ''}
            ORDER BY x.started_at DESC LIMIT 1) l`,
      [[...minionIds]],
    );
    return new Map(rows.map((r) => [r.minion_id, r]));
  }

  /** The newest jobs of one minion. */
  async jobsOfMinion(minionId: string, limit: number): Promise<LastJobRow[]> {
    return sqlRows<LastJobRow>(
      this.db,
      `SELECT minion_id, jid, fun, started_at, outcome FROM salt_job_minions WHERE minion_id = $1 ORDER BY started_at DESC LIMIT $2`,
      [minionId, limit],
    );
  }

  /** When each minion was last heard from on the bus (a return or a start), within `days`. */
  async lastSeen(minionIds: readonly string[], days: number): Promise<Map<string, Date>> {
    if (!minionIds.length) return new Map();
    const rows = await sqlRows<{ minion_id: string; at: Date }>(
      this.db,
      `SELECT ids.id AS minion_id, l.occurred_at AS at
         FROM unnest($1::text[]) AS ids(id)
         CROSS JOIN LATERAL (
           SELECT a.occurred_at FROM activity_events a
            WHERE a.minion_id = ids.id AND a.event_type IN ('job.ret', 'minion.start')
              AND a.occurred_at > now() - make_interval(days => $2)
            ORDER BY a.occurred_at DESC LIMIT 1) l`,
      [[...minionIds], days],
    );
    return new Map(rows.map((r) => [r.minion_id, r.at]));
  }

  /** Jobs still running, newest first (the poller asks salt-api about them). */
  async running(limit: number, sinceMs: number): Promise<{ jid: string; started_at: Date; targeted: number }[]> {
    return sqlRows(
      this.db,
      `SELECT jid, started_at, targeted FROM salt_jobs
        WHERE status = 'running' AND started_at > now() - make_interval(secs => $2)
        ORDER BY started_at DESC LIMIT $1`,
      [limit, sinceMs / 1000],
    );
  }

  /** Which of these jids the index holds, and whether they are complete. */
  async known(jids: readonly string[]): Promise<Map<string, 'running' | 'complete'>> {
    if (!jids.length) return new Map();
    const rows = await sqlRows<{ jid: string; status: 'running' | 'complete' }>(this.db, `SELECT jid, status FROM salt_jobs WHERE jid = ANY($1::text[])`, [[...jids]]);
    return new Map(rows.map((r) => [r.jid, r.status]));
  }

  /** When the index last changed (null when empty). */
  async lastUpdate(): Promise<Date | null> {
    const [row] = await sqlRows<{ at: Date | null }>(this.db, `SELECT max(updated_at) AS at FROM salt_jobs`);
    return row?.at ?? null;
  }

  /**
   * The job rows of the activity store since `since` (catch-up after a restart), in id order.
   * Ordered by the bigint column: a bare `id` would name the text output column ('1000' < '999').
   */
  async activityJobRows(since: Date, afterId: string, limit: number): Promise<(JobActivityRow & { id: string; minions: string[] | null })[]> {
    return sqlRows(
      this.db,
      `SELECT id::text AS id, event_type, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
              jid, minion_id, fun, initiator, target, target_type, outcome, retcode, minions
         FROM activity_events
        WHERE category = 'job' AND occurred_at >= $1 AND id > $2::bigint AND jid IS NOT NULL
        ORDER BY activity_events.id LIMIT $3`,
      [since, afterId, limit],
    );
  }

  /** The raw Salt events of these `job.new` rows (their publish `arg`); absent or truncated ones are skipped. */
  async newJobArgs(rows: readonly { id: string; occurred_at: string }[]): Promise<Map<string, unknown[]>> {
    if (!rows.length) return new Map();
    const found = await sqlRows<{ id: string; raw: string | null }>(
      this.db,
      `SELECT p.id::text AS id, p.raw FROM activity_payloads p
         JOIN unnest($1::bigint[], $2::timestamptz[]) AS k(id, at) ON p.id = k.id AND p.occurred_at = k.at
        WHERE NOT p.raw_truncated`,
      [rows.map((r) => r.id), rows.map((r) => r.occurred_at)],
    );
    const out = new Map<string, unknown[]>();
    for (const r of found) {
      try {
        const ev = JSON.parse(r.raw ?? '') as { data?: { arg?: unknown } };
        if (Array.isArray(ev.data?.arg)) out.set(r.id, ev.data.arg);
      } catch {
        // Not JSON (bounded copy): the arguments stay unknown.
      }
    }
    return out;
  }

  /** A lease of `name` for `ms`, taken when free or expired or already ours: one replica at a time. */
  async lease(name: string, holder: string, ms: number): Promise<boolean> {
    const rows = await sqlRows<{ name: string }>(
      this.db,
      `INSERT INTO salt_job_sync AS s (name, holder, lease_until, last_run_at) VALUES ($1, $2, now() + make_interval(secs => $3), now())
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until, last_run_at = now()
        WHERE s.lease_until IS NULL OR s.lease_until < now() OR s.holder = EXCLUDED.holder
       RETURNING name`,
      [name, holder, ms / 1000],
    );
    return rows.length === 1;
  }

  /** Removes jobs that started before `cutoff` (their minion rows cascade). */
  async prune(cutoff: Date): Promise<number> {
    const [row] = await sqlRows<{ n: number }>(
      this.db,
      `WITH d AS (DELETE FROM salt_jobs WHERE started_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [cutoff],
    );
    return row?.n ?? 0;
  }
}
