/** The cross-project timeline (GET /api/v1/activity, seeds/002) and the per-project audit page on the wire. */

/** One audit row as the timeline shows it (seeds/002). */
export interface TimelineItem {
  id: string;
  project_id: string | null;
  project_slug: string | null;
  user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** From the response status: `success` below 400, `failure` otherwise; null while in flight. */
  result: 'success' | 'failure' | null;
  /** The policy decision. */
  outcome: 'allow' | 'deny';
  /** The request's arguments, secrets already redacted when the row was written. */
  metadata: unknown;
  /** Admins only on the timeline; null for everyone else. */
  source_ip: string | null;
  occurred_at: string;
}

export interface TimelinePage {
  items: TimelineItem[];
  next_before_cursor: string | null;
  newest_cursor: string | null;
}

/** The per-project audit page: the timeline's item plus what only that page shows. */
export interface ProjectAuditItem extends TimelineItem {
  username: string | null;
  user_agent: string | null;
  result_code: number | null;
  salt_jid: string | null;
}

export interface ProjectAuditPage {
  items: ProjectAuditItem[];
  next_before_cursor: string | null;
  newest_cursor: string | null;
}
