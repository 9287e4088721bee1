import { BadRequestException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { COUNT_CAP, type ActivityEventDetailDto, type ActivityEventDto, type Cursor } from '@sylvite/contracts';
import { scopeCategories, scopePrefixes, scopeRegexes, type ActivityScope } from './activity-scope';
import type { ActivityFilter } from './activity-filter';

/** Under three characters a search has no trigrams and scans: it gets less time (PERFORMANCE.md). */
export const SHORT_SEARCH_TIMEOUT_MS = 2_000;
export const SEARCH_TIMEOUT_MS = 10_000;
/** A grant narrower than `*` filters by regular expression: bounded like a search (PERFORMANCE.md). */
export const SCOPE_TIMEOUT_MS = 5_000;

/** What one query may return: the caller's effective scope and the filters. */
export interface ActivityCriteria extends ActivityFilter {
  scope: ActivityScope;
  /** ISO 8601, inclusive. */
  since?: string;
  /** ISO 8601, exclusive. */
  until?: string;
  since_minutes?: number;
}

export interface PageRequest {
  limit: number;
  offset: number;
  before?: Cursor;
  after?: Cursor;
  /** Oldest first (`since_cursor` pages); newest first otherwise. */
  ascending: boolean;
}

/**
 * ISO 8601 UTC as JavaScript writes it (`.123Z`, what the live stream sends for the same row), with
 * microseconds only when a stored time has them: a cursor must name the exact stored instant.
 */
const iso = (col: string) => `CASE WHEN extract(microseconds FROM ${col})::bigint % 1000 = 0
  THEN to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  ELSE to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END`;

const COLUMNS = `e.id::text AS id, ${iso('e.occurred_at')} AS occurred_at, ${iso('e.received_at')} AS received_at,
  e.category, e.event_type, e.outcome, e.minion_id, e.jid, e.fun, e.initiator, e.target, e.target_type, e.retcode,
  e.duration_ms, e.summary`;

/** `%`, `_` and `\` typed by a user are literal in a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * A narrow grant matches the row's minion; a dispatch (minion_id null) any of its expected minions,
 * or, when none were recorded, its target or one entry of a list target. See inScope() for the twin.
 * The globs' literal prefixes make both halves indexable: `minion_id ^@ 'web-04242'` (a byte prefix
 * under any collation) is a range on the `minion_id` index, and a dispatch's names must contain it
 * (the trigram index activity_events_dispatch_idx). The regular expressions then decide.
 */
function minionMatch(globs: readonly string[], p: Params): string {
  const re = `${p.add(scopeRegexes(globs))}::text[]`;
  const prefixes = scopePrefixes(globs);
  const anyOf = (f: (prefix: string) => string) => (prefixes ? `(${prefixes.map(f).join(' OR ')}) AND ` : '');
  const named = anyOf((x) => `e.minion_id ^@ ${p.add(x)}`);
  // Under three characters a prefix has no trigram: the index cannot help, and planning it costs.
  const dispatch = prefixes?.every((x) => x.length >= 3)
    ? anyOf((x) => `sylvite_dispatch_targets(e.minions, e.target) LIKE ${p.add(`%${escapeLike(x)}%`)}`)
    : '';
  return `((${named}e.minion_id ~ ANY(${re}))
    OR (e.minion_id IS NULL AND ${dispatch}CASE
      WHEN cardinality(e.minions) > 0 THEN EXISTS (SELECT 1 FROM unnest(e.minions) m WHERE m ~ ANY(${re}))
      ELSE EXISTS (SELECT 1 FROM unnest(string_to_array(e.target, ',')) t WHERE t ~ ANY(${re})) END))`;
}

function scopeClause(scope: ActivityScope, p: Params): string | null {
  const cats = scopeCategories(scope);
  if (cats.length === 0) return 'false';
  const open = cats.filter((c) => scope[c] === '*');
  if (open.length === 3) return null;
  const parts: string[] = [];
  if (open.length === 1) parts.push(`e.category = ${p.add(open[0])}`);
  else if (open.length > 1) parts.push(`e.category = ANY(${p.add(open)}::text[])`);
  for (const c of cats) {
    const s = scope[c];
    if (s === undefined || s === '*') continue;
    parts.push(`(e.category = ${p.add(c)} AND ${minionMatch(s, p)})`);
  }
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

function whereOf(c: ActivityCriteria, p: Params): string[] {
  const where: string[] = [];
  const scope = scopeClause(c.scope, p);
  if (scope) where.push(scope);
  if (c.minion_id !== undefined) where.push(`e.minion_id = ${p.add(c.minion_id)}`);
  if (c.event_type !== undefined) where.push(`e.event_type = ${p.add(c.event_type)}`);
  if (c.jid !== undefined) where.push(`e.jid = ${p.add(c.jid)}`);
  if (c.hide_dispatch) where.push(`e.event_type <> 'job.new'`);
  if (c.hide_routine) where.push(`NOT (e.event_type = 'job.ret' AND e.outcome = 'ok')`);
  if (c.search) where.push(`e.search_text LIKE '%' || lower(${p.add(escapeLike(c.search))}) || '%'`);
  if (c.since !== undefined) where.push(`e.occurred_at >= ${p.add(c.since)}::timestamptz`);
  if (c.until !== undefined) where.push(`e.occurred_at < ${p.add(c.until)}::timestamptz`);
  if (c.since_minutes !== undefined) where.push(`e.occurred_at >= now() - make_interval(mins => ${p.add(c.since_minutes)})`);
  return where;
}

const whereSql = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** Every SQL statement of the activity feed: plain, parameterized, keyset-paged. */
@Injectable()
export class ActivityRepository {
  constructor(private readonly db: DataSource) {}

  /** One page, `limit + 1` rows so the caller knows whether more exist. */
  async page(c: ActivityCriteria, req: PageRequest): Promise<{ rows: ActivityEventDto[]; count?: { total: number; estimate: boolean } }> {
    return this.run(c, async (q) => {
      const p = new Params();
      const where = whereOf(c, p);
      const countWhere = [...where];
      const countParams = [...p.values];
      if (req.before) where.push(`(e.occurred_at, e.id) < (${p.add(req.before.at)}::timestamptz, ${p.add(req.before.id)}::bigint)`);
      if (req.after) where.push(`(e.occurred_at, e.id) > (${p.add(req.after.at)}::timestamptz, ${p.add(req.after.id)}::bigint)`);
      const order = req.ascending ? 'e.occurred_at ASC, e.id ASC' : 'e.occurred_at DESC, e.id DESC';
      const rows: ActivityEventDto[] = await q.query(
        `SELECT ${COLUMNS} FROM activity_events e ${whereSql(where)} ORDER BY ${order}
          LIMIT ${p.add(req.limit + 1)} OFFSET ${p.add(req.offset)}`,
        p.values,
      );
      // A first page that is not full is its own exact count.
      if (!req.before && !req.after && req.offset === 0 && rows.length <= req.limit) {
        return { rows: rows.map(normalize), count: { total: rows.length, estimate: false } };
      }
      // Deeper pages repeat the total their walk started with (carried in the cursor): counting
      // again would cost as much as the page, on every page.
      const carried = req.before?.count;
      if (carried) return { rows: rows.map(normalize), count: carried };
      const n: { n: number }[] = await q.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM activity_events e ${whereSql(countWhere)} LIMIT ${COUNT_CAP + 1}) t`,
        countParams,
      );
      const total = n[0].n;
      return { rows: rows.map(normalize), count: total > COUNT_CAP ? { total: COUNT_CAP, estimate: true } : { total, estimate: false } };
    });
  }

  /** Newest first from `before` (exclusive), without a count: the export's keyset walk. */
  async older(c: ActivityCriteria, before: Cursor | undefined, limit: number): Promise<ActivityEventDto[]> {
    return this.run(c, async (q) => {
      const p = new Params();
      const where = whereOf(c, p);
      if (before) where.push(`(e.occurred_at, e.id) < (${p.add(before.at)}::timestamptz, ${p.add(before.id)}::bigint)`);
      const rows: ActivityEventDto[] = await q.query(
        `SELECT ${COLUMNS} FROM activity_events e ${whereSql(where)} ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${p.add(limit)}`,
        p.values,
      );
      return rows.map(normalize);
    });
  }

  /** Matching rows with `id > afterId` in id order: what a resuming stream missed. */
  async afterId(c: ActivityCriteria, afterId: string, limit: number): Promise<ActivityEventDto[]> {
    return this.run(c, async (q) => {
      const p = new Params();
      const where = whereOf(c, p);
      where.push(`e.id > ${p.add(afterId)}::bigint`);
      const rows: ActivityEventDto[] = await q.query(
        `SELECT ${COLUMNS} FROM activity_events e ${whereSql(where)} ORDER BY e.id ASC LIMIT ${p.add(limit)}`,
        p.values,
      );
      return rows.map(normalize);
    });
  }

  /** Every row in `(afterId, upToId]`, with the expected minions a scope decision needs (NOTIFY fetch). */
  async between(afterId: string, upToId: string, limit: number): Promise<{ rows: ActivityEventDto[]; minions: (string[] | null)[] }> {
    const rows: (ActivityEventDto & { minions: string[] | null })[] = await this.db.query(
      `SELECT ${COLUMNS}, e.minions FROM activity_events e
        WHERE e.id > $1::bigint AND e.id <= $2::bigint ORDER BY e.id ASC LIMIT $3`,
      [afterId, upToId, limit],
    );
    return { rows: rows.map(normalize), minions: rows.map((r) => r.minions) };
  }

  async maxId(): Promise<string> {
    const rows: { id: string | null }[] = await this.db.query(`SELECT max(id)::text AS id FROM activity_events`);
    return rows[0]?.id ?? '0';
  }

  /** One row with its stored payload, or null when unknown or outside the scope. */
  async detail(scope: ActivityScope, id: string): Promise<ActivityEventDetailDto | null> {
    const p = new Params();
    const where = whereOf({ scope }, p);
    where.push(`e.id = ${p.add(id)}::bigint`);
    const rows: (ActivityEventDto & { raw: string | null; raw_size: number; raw_truncated: boolean; raw_value_trimmed: boolean })[] =
      await this.db.query(
        `SELECT ${COLUMNS}, pl.raw, coalesce(pl.raw_size, 0) AS raw_size, coalesce(pl.raw_truncated, false) AS raw_truncated,
                coalesce(pl.value_trimmed, false) AS raw_value_trimmed
           FROM activity_events e
           LEFT JOIN activity_payloads pl ON pl.id = e.id AND pl.occurred_at = e.occurred_at
          ${whereSql(where)} LIMIT 1`,
        p.values,
      );
    const r = rows[0];
    if (!r) return null;
    return { ...normalize(r), raw: r.raw, raw_size: r.raw_size, raw_truncated: r.raw_truncated, raw_value_trimmed: r.raw_value_trimmed };
  }

  /** An API token still usable, with the grants it was issued (the stream re-checks them). */
  async tokenPermissions(tokenId: string): Promise<string[] | null> {
    const rows: { permissions: string[] }[] = await this.db.query(
      `SELECT permissions FROM api_tokens WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [tokenId],
    );
    return rows[0]?.permissions ?? null;
  }

  /**
   * Searches and narrow view grants run in a transaction with their own statement timeout: a
   * one-letter search cannot use the trigram index, a rare term can flip plans, and a grant whose
   * glob starts with a wildcard has no prefix to index; each must fail fast with a clear 400
   * rather than hold a pool connection.
   */
  private async run<T>(c: ActivityCriteria, fn: (q: DataSource | EntityManager) => Promise<T>): Promise<T> {
    const narrow = scopeCategories(c.scope).some((cat) => c.scope[cat] !== '*');
    if (!c.search && !narrow) return fn(this.db);
    const short = !!c.search && c.search.length < 3;
    const ms = Math.min(short ? SHORT_SEARCH_TIMEOUT_MS : c.search ? SEARCH_TIMEOUT_MS : Infinity, narrow ? SCOPE_TIMEOUT_MS : Infinity);
    try {
      return await this.db.transaction(async (m) => {
        await m.query(`SET LOCAL statement_timeout = ${ms}`);
        return fn(m);
      });
    } catch (err) {
      if ((err as { code?: string }).code === '57014') {
        throw new BadRequestException(
          short
            ? 'search: a search under 3 characters took too long; type more or narrow since/until'
            : c.search
              ? 'search: took too long; narrow since/until or the other filters'
              : 'since: the rows your view grants allow are sparse and finding them took too long; narrow since/until or the filters',
        );
      }
      throw err;
    }
  }
}

/** pg returns double precision as number and int as number; nothing else needs converting. */
function normalize<T extends ActivityEventDto>(r: T): ActivityEventDto {
  return {
    id: r.id,
    occurred_at: r.occurred_at,
    received_at: r.received_at,
    category: r.category,
    event_type: r.event_type,
    outcome: r.outcome,
    minion_id: r.minion_id,
    jid: r.jid,
    fun: r.fun,
    initiator: r.initiator,
    target: r.target,
    target_type: r.target_type,
    retcode: r.retcode,
    duration_ms: r.duration_ms,
    summary: r.summary,
  };
}
