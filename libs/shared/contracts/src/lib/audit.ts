/** The audit log on the wire (DESIGN.md §4; the audit seed page). */

export type AuditDecision = 'allow' | 'deny';

export interface AuditEntryDto {
  id: string;
  at: string;
  user_id: string | null;
  username: string | null;
  action: string;
  resource: string;
  args_json: unknown;
  salt_jid: string | null;
  decision: AuditDecision;
  result_code: number | null;
  duration_ms: number | null;
  request_id: string | null;
  project_ids: string[];
  /** Admins only; null for everyone else. */
  source_ip: string | null;
  /** Admins only; null for everyone else. */
  user_agent: string | null;
}

export interface AuditPage {
  /** A `next_before_cursor` page repeats the figure of the page its walk started from (see cursor.ts). */
  total: number;
  /** True when `total` is a bound (10,000) rather than an exact count. */
  total_is_estimate: boolean;
  entries: AuditEntryDto[];
  next_before_cursor: string | null;
  newest_cursor: string | null;
}

export const REDACTED = '<redacted>';
