import type { StoredJob } from '../stream/reconcile';

/** Runs SQL and returns the rows (TypeORM's `query`, or a `pg` client's `query(...).rows`). */
export type RowQuery = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** What the store holds per jid since `since`, for reconciliation. */
export async function storedJobs(query: RowQuery, jids: string[], since: Date): Promise<Map<string, StoredJob>> {
  if (jids.length === 0) return new Map();
  const rows = await query<{ jid: string; dispatched: boolean; answered: string; expected: string }>(
    `SELECT jid,
            bool_or(event_type = 'job.new') AS dispatched,
            count(DISTINCT minion_id) FILTER (WHERE event_type IN ('job.ret', 'job.noreturn')) AS answered,
            coalesce(max(cardinality(minions)) FILTER (WHERE event_type = 'job.new'), 0) AS expected
       FROM activity_events WHERE jid = ANY($1::text[]) AND occurred_at >= $2 GROUP BY jid`,
    [jids, since],
  );
  return new Map(rows.map((r) => [r.jid, { dispatched: r.dispatched, answered: Number(r.answered), expected: Number(r.expected) }]));
}

/** The newest stored event time (not in the future), bounded below by `floor`; null for an empty store. */
export async function latestStoredAt(query: RowQuery, floor: Date): Promise<Date | null> {
  const rows = await query<{ at: Date | string | null }>(
    `SELECT max(occurred_at) AS at FROM activity_events WHERE occurred_at <= now() + interval '1 minute'`,
    [],
  );
  const at = rows[0]?.at ? new Date(rows[0].at) : null;
  if (!at) return null;
  return at < floor ? floor : at;
}
