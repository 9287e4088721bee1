import { randomUUID } from 'node:crypto';
import type { ActivityCategory, ActivityEventType, ActivityOutcome } from '@sylvite/contracts';

/** The subset of pg / TypeORM a fixture needs. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface FixtureRow {
  occurred_at: string;
  category?: ActivityCategory;
  event_type?: ActivityEventType;
  outcome?: ActivityOutcome;
  minion_id?: string | null;
  jid?: string | null;
  fun?: string | null;
  initiator?: string | null;
  target?: string | null;
  target_type?: string | null;
  retcode?: number | null;
  duration_ms?: number | null;
  minions?: string[] | null;
  summary?: string;
  /** Stored in activity_payloads when given. */
  raw?: string;
}

/** Creates the day partitions a set of times falls in (the writer does this in production). */
export async function ensurePartitions(db: Queryable, times: readonly string[]): Promise<void> {
  const days = [...new Set(times.map((t) => new Date(t).toISOString().slice(0, 10)))];
  for (const d of days) await db.query('SELECT sylvite_ensure_activity_partition($1::date)', [d]);
}

/** Inserts rows with plain SQL, in order; returns their ids. search_text is built the way ingest builds it. */
export async function insertActivity(db: Queryable, rows: readonly FixtureRow[]): Promise<string[]> {
  await ensurePartitions(db, rows.map((r) => r.occurred_at));
  const ids: string[] = [];
  for (const r of rows) {
    const category = r.category ?? 'job';
    const eventType = r.event_type ?? 'job.ret';
    const minion = r.minion_id === undefined ? (eventType === 'job.new' ? null : 'web01') : r.minion_id;
    const summary = r.summary ?? `${eventType} ${minion ?? r.target ?? ''}`.trim();
    const search = [summary, minion, r.fun ?? null, r.initiator ?? null, r.target ?? null].filter(Boolean).join(' ').toLowerCase();
    const res = (await db.query(
      `INSERT INTO activity_events (occurred_at, category, event_type, outcome, tag, minion_id, jid, fun, initiator, target,
         target_type, retcode, duration_ms, minions, summary, search_text, dedupe_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       RETURNING id::text AS id`,
      [
        r.occurred_at, category, eventType, r.outcome ?? (eventType === 'job.new' ? 'dispatched' : 'ok'), `salt/test/${eventType}`,
        minion, r.jid ?? null, r.fun ?? null, r.initiator ?? null, r.target ?? null, r.target_type ?? null, r.retcode ?? null,
        r.duration_ms ?? null, r.minions ?? null, summary, search, randomUUID(),
      ],
    )) as { id: string }[];
    const id = res[0].id;
    if (r.raw !== undefined) {
      await db.query(
        `INSERT INTO activity_payloads (id, occurred_at, raw, raw_size, raw_truncated, value_trimmed) VALUES ($1, $2, $3, $4, false, false)`,
        [id, r.occurred_at, r.raw, Buffer.byteLength(r.raw)],
      );
    }
    ids.push(id);
  }
  return ids;
}

/** `minutes` before now, ISO. */
export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}
