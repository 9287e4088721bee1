import { BadRequestException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { COUNT_CAP, decodeCursor, encodeCursor, type AuditEntryDto, type AuditPage, type Cursor, type CursorCount } from '@sylvite/contracts';
import type { AuditQueryDto } from './audit-query.dto';


/** `%`, `_` and `\` are literal in an action prefix. */
export function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

interface Row {
  id: string;
  at_iso: string;
  user_id: string | null;
  username: string | null;
  action: string;
  resource: string;
  args_json: unknown;
  salt_jid: string | null;
  decision: 'allow' | 'deny';
  result_code: number | null;
  duration_ms: number | null;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  project_ids: string[];
}

/** Every SQL the audit log's readers need. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: DataSource) {}

  buildWhere(q: AuditQueryDto, params: unknown[]): string[] {
    const where: string[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.user_id) where.push(`a.user_id = ${p(q.user_id)}`);
    if (q.action) where.push(`a.action = ${p(q.action)}`);
    if (q.action_prefix) where.push(`a.action LIKE ${p(likePrefix(q.action_prefix))}`);
    if (q.decision) where.push(`a.decision = ${p(q.decision)}`);
    if (q.resource) where.push(`a.resource = ${p(q.resource)}`);
    if (q.salt_jid) where.push(`a.salt_jid = ${p(q.salt_jid)}`);
    if (q.since) where.push(`a.at >= ${p(q.since)}::timestamptz`);
    if (q.until) where.push(`a.at < ${p(q.until)}::timestamptz`);
    return where;
  }

  async page(q: AuditQueryDto, opts: { revealSource: boolean }): Promise<AuditPage> {
    const limit = q.limit ?? 50;
    const params: unknown[] = [];
    const where = this.buildWhere(q, params);
    const countWhere = [...where];
    const countParams = [...params];
    let ascending = false;
    let carried: CursorCount | undefined;
    if (q.before_cursor) {
      const c = this.cursor(q.before_cursor, 'before_cursor');
      carried = c.count;
      params.push(c.at, c.id);
      where.push(`(a.at, a.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    if (q.since_cursor) {
      const c = this.cursor(q.since_cursor, 'since_cursor');
      params.push(c.at, c.id);
      where.push(`(a.at, a.id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
      // Oldest first, so a poller that fell behind walks forward and skips nothing.
      ascending = !q.before_cursor;
    }
    const order = ascending ? 'a.at ASC, a.id ASC' : 'a.at DESC, a.id DESC';
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    params.push(limit + 1, q.offset ?? 0);
    const rows: Row[] = await this.db.query(
      `SELECT a.id::text AS id, ${isoAt('a.at')} AS at_iso, a.user_id, u.username, a.action, a.resource,
              a.args_json, a.salt_jid, a.decision, a.result_code, a.duration_ms, host(a.source_ip) AS source_ip,
              a.user_agent, a.request_id, a.project_ids
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         ${whereSql}
         ORDER BY ${order}
         LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const entries = page.map((r) => toDto(r, opts.revealSource));
    const newest = ascending ? page[page.length - 1] : page[0];
    const oldest = ascending ? page[0] : page[page.length - 1];
    // Deeper pages repeat the total their walk started with (carried in the cursor) rather than
    // count again, which costs as much as the page.
    const total = carried ? { count: carried.total, estimate: carried.estimate } : await this.count(countWhere, countParams);
    return {
      total: total.count,
      total_is_estimate: total.estimate,
      entries,
      next_before_cursor:
        !ascending && more && oldest ? encodeCursor(oldest.at_iso, oldest.id, { total: total.count, estimate: total.estimate }) : null,
      newest_cursor: newest ? encodeCursor(newest.at_iso, newest.id) : q.since_cursor ?? null,
    } as AuditPage;
  }

  /** An exact count up to 10,000 rows; past that a bounded figure flagged as an estimate. */
  async count(where: string[], params: unknown[]): Promise<{ count: number; estimate: boolean }> {
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const res: { n: string }[] = await this.db.query(
      `SELECT count(*)::text AS n FROM (SELECT 1 FROM audit_log a ${whereSql} LIMIT ${COUNT_CAP + 1}) t`,
      params,
    );
    const n = Number(res[0].n);
    return n > COUNT_CAP ? { count: COUNT_CAP, estimate: true } : { count: n, estimate: false };
  }

  private cursor(raw: string, name: string) {
    const c = decodeCursor(raw);
    if (!c || !storableCursor(c)) throw new BadRequestException(`${name}: malformed cursor`);
    return c;
  }
}

const MAX_BIGINT = 9223372036854775807n;

/**
 * What the cursor syntax lets through but PostgreSQL refuses (30 February, a 16-hour offset, an
 * id past bigint): a 400 for the parameter rather than a 500 from the query.
 */
export function storableCursor(c: Cursor): boolean {
  if (BigInt(c.id) > MAX_BIGINT) return false;
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(c.at);
  if (!ymd) return false;
  const [y, m, d] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  if (y === 0 || day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return false;
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(c.at);
  return !offset || Number(offset[2]) < 16;
}

export function isoAt(col: string): string {
  return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

function toDto(r: Row, reveal: boolean): AuditEntryDto {
  return {
    id: r.id,
    at: r.at_iso,
    user_id: r.user_id,
    username: r.username,
    action: r.action,
    resource: r.resource,
    args_json: r.args_json,
    salt_jid: r.salt_jid,
    decision: r.decision,
    result_code: r.result_code,
    duration_ms: r.duration_ms,
    request_id: r.request_id,
    project_ids: r.project_ids ?? [],
    source_ip: reveal ? r.source_ip : null,
    user_agent: reveal ? r.user_agent : null,
  };
}
