import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { encodeCursor, type Cursor, type ProjectAuditItem, type TimelineItem } from '@sylvite/contracts';
import { likePrefix } from '@sylvite/api-audit';

/**
 * Which rows a reader may see. `all`: every row. `rows`: rows of the listed projects and, when
 * `ownFleetWideOf` is set, that user's own fleet-wide rows (their logins, password changes).
 */
export type AuditScope = { kind: 'all' } | { kind: 'rows'; projectIds: string[]; ownFleetWideOf?: string };

export interface KeysetFilters {
  actionPrefix?: string;
  decision?: 'allow' | 'deny';
  userId?: string;
  sinceAt?: string;
  untilAt?: string;
}

export interface KeysetRequest {
  scope: AuditScope;
  filters: KeysetFilters;
  limit: number;
  since?: Cursor;
  before?: Cursor;
  /** Source address and user agent in the answer (admins; project admins on their audit page). */
  reveal: boolean;
}

export interface KeysetPage<T> {
  items: T[];
  next_before_cursor: string | null;
  newest_cursor: string | null;
}

interface Row {
  id: string;
  occurred_at: string;
  project_id: string | null;
  project_slug: string | null;
  user_id: string | null;
  username: string | null;
  action: string;
  resource: string;
  args_json: unknown;
  decision: 'allow' | 'deny';
  result_code: number | null;
  salt_jid: string | null;
  source_ip: string | null;
  user_agent: string | null;
}

/** Past this many projects one `= ANY` branch replaces a branch per project. */
const MAX_BRANCHES = 50;
const OCCURRED_AT = `to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')`;

/**
 * Keyset pages of audit rows for the timeline and the per-project audit page. Each project is its
 * own branch reading `audit_log_project_idx` newest-first with the limit pushed down, so a page
 * costs about `limit` rows per project however large the log is.
 */
@Injectable()
export class TimelineRepository {
  constructor(private readonly db: DataSource) {}

  async page(req: KeysetRequest): Promise<KeysetPage<Row>> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const branches = this.branches(req.scope, p);
    if (!branches.length) return { items: [], next_before_cursor: null, newest_cursor: null };

    const common: string[] = [];
    const f = req.filters;
    if (f.actionPrefix) common.push(`a.action LIKE ${p(likePrefix(f.actionPrefix))}`);
    if (f.decision) common.push(`a.decision = ${p(f.decision)}`);
    if (f.userId) common.push(`a.user_id = ${p(f.userId)}::uuid`);
    if (f.sinceAt) common.push(`a.at >= ${p(f.sinceAt)}::timestamptz`);
    if (f.untilAt) common.push(`a.at < ${p(f.untilAt)}::timestamptz`);
    if (req.before) common.push(`(a.at, a.id) < (${p(req.before.at)}::timestamptz, ${p(req.before.id)}::bigint)`);
    if (req.since) common.push(`(a.at, a.id) > (${p(req.since.at)}::timestamptz, ${p(req.since.id)}::bigint)`);

    // since_cursor walks forward: the oldest rows past the cursor first, so a poller that fell
    // behind takes every row in order and skips none. The page itself is still newest first.
    const dir = req.since ? 'ASC' : 'DESC';
    const lim = p(req.limit);
    const union = branches
      .map((b) => `(SELECT a.* FROM audit_log a WHERE ${[b, ...common].join(' AND ')} ORDER BY a.at ${dir}, a.id ${dir} LIMIT ${lim})`)
      .join(' UNION ALL ');
    const rows: Row[] = await this.db.query(
      `SELECT a.id::text AS id, ${OCCURRED_AT} AS occurred_at, a.project_ids[1]::text AS project_id, pr.slug AS project_slug,
              a.user_id, u.username, a.action, a.resource, a.args_json, a.decision, a.result_code, a.salt_jid,
              host(a.source_ip) AS source_ip, a.user_agent
         FROM (${union}) a
         LEFT JOIN projects pr ON pr.id = a.project_ids[1]
         LEFT JOIN users u ON u.id = a.user_id
        ORDER BY a.at ${dir}, a.id ${dir}
        LIMIT ${lim}`,
      params,
    );
    if (req.since) rows.reverse();
    const items = rows.map((r) => (req.reveal ? r : { ...r, source_ip: null, user_agent: null }));
    const newest = items[0];
    const oldest = items[items.length - 1];
    return {
      items,
      // A full page going backwards may have more behind it; a forward (since) page never does.
      next_before_cursor: !req.since && items.length === req.limit && oldest ? encodeCursor(oldest.occurred_at, oldest.id) : null,
      newest_cursor: newest ? encodeCursor(newest.occurred_at, newest.id) : req.since ? encodeCursor(req.since.at, req.since.id) : null,
    };
  }

  private branches(scope: AuditScope, p: (v: unknown) => string): string[] {
    if (scope.kind === 'all') return ['TRUE'];
    const out =
      scope.projectIds.length > MAX_BRANCHES
        ? [`a.project_ids[1] = ANY(${p(scope.projectIds)}::uuid[])`]
        : scope.projectIds.map((id) => `a.project_ids[1] = ${p(id)}::uuid`);
    if (scope.ownFleetWideOf) out.push(`a.user_id = ${p(scope.ownFleetWideOf)}::uuid AND cardinality(a.project_ids) = 0`);
    return out;
  }
}

/** `minion:web01` → minion / web01; `*` → nothing; anything else unprefixed is its own id. */
export function splitResource(resource: string): { target_type: string | null; target_id: string | null } {
  const m = /^([A-Za-z][\w.-]*):([\s\S]*)$/.exec(resource);
  if (m) return { target_type: m[1], target_id: m[2] === '' ? null : m[2] };
  return { target_type: null, target_id: resource === '*' || resource === '' ? null : resource };
}

export function toTimelineItem(r: Row): TimelineItem {
  return {
    id: r.id,
    project_id: r.project_id,
    project_slug: r.project_slug,
    user_id: r.user_id,
    action: r.action,
    ...splitResource(r.resource),
    result: r.result_code === null ? null : r.result_code < 400 ? 'success' : 'failure',
    outcome: r.decision,
    metadata: r.args_json ?? {},
    source_ip: r.source_ip,
    occurred_at: r.occurred_at,
  };
}

export function toProjectAuditItem(r: Row): ProjectAuditItem {
  return {
    ...toTimelineItem(r),
    username: r.username,
    user_agent: r.user_agent,
    result_code: r.result_code,
    salt_jid: r.salt_jid,
  };
}
