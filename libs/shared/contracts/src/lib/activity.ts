/**
 * Salt activity on the wire (DESIGN.md §2 "Normalization", issue 4): what GET /api/activity,
 * GET /api/activity/:id and the activity SSE stream return.
 */

import type { ActivityCategory } from './permissions';
import type { WidgetSettings } from './settings';

// ACTIVITY_CATEGORIES / ActivityCategory live in permissions.ts (a category is what view:<category>:* grants).

/**
 * Every kind of row the normalizer stores.
 *
 * - `job.new` a job (or runner) was dispatched; `job.ret` one minion (or a runner) returned;
 *   `job.noreturn` a minion listed in `job.new` had not returned by the deadline.
 * - `key.accept` / `key.reject` / `key.delete` an operator moved or removed a key (`salt/key`).
 * - `key.pend` a new key waits for acceptance (`salt/auth` act `pend`, first time only).
 * - `key.denied` a minion presented a key that differs from the one on the master (`act: denied`).
 * - `key.full` the master refused a minion because `max_minions` is reached (`act: full`).
 * - `key.auth_rejected` the master refused a rejected or auto-rejected key (`act: reject` or no act).
 * - `minion.start` a minion (re)connected (`salt/minion/<id>/start` or `minion_start`, counted once).
 */
export const ACTIVITY_EVENT_TYPES = [
  'job.new',
  'job.ret',
  'job.noreturn',
  'key.accept',
  'key.reject',
  'key.delete',
  'key.pend',
  'key.denied',
  'key.full',
  'key.auth_rejected',
  'minion.start',
] as const;
export type ActivityEventType = (typeof ACTIVITY_EVENT_TYPES)[number];

/**
 * - job returns: `failed` | `changes` | `would_change` (test mode: `result: null` with changes) | `ok`;
 * - `dispatched` for `job.new`, `noreturn` for `job.noreturn`;
 * - keys: `accepted` | `rejected` (operator reject, master full, refused auth) | `deleted` | `pending` | `denied`;
 * - `online` for `minion.start`.
 */
export const ACTIVITY_OUTCOMES = [
  'failed',
  'changes',
  'would_change',
  'ok',
  'dispatched',
  'noreturn',
  'accepted',
  'rejected',
  'deleted',
  'pending',
  'denied',
  'online',
] as const;
export type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];

/** The badge text the console shows for each outcome. */
export const ACTIVITY_OUTCOME_LABELS: Readonly<Record<ActivityOutcome, string>> = {
  failed: 'Failed',
  changes: 'Changes',
  would_change: 'Would change',
  ok: 'OK',
  dispatched: 'Dispatched',
  noreturn: 'No return',
  accepted: 'Accepted',
  rejected: 'Rejected',
  deleted: 'Deleted',
  pending: 'Pending',
  denied: 'Denied',
  online: 'Online',
};

export const ACTIVITY_EVENT_CATEGORY: Readonly<Record<ActivityEventType, ActivityCategory>> = {
  'job.new': 'job',
  'job.ret': 'job',
  'job.noreturn': 'job',
  'key.accept': 'key',
  'key.reject': 'key',
  'key.delete': 'key',
  'key.pend': 'key',
  'key.denied': 'key',
  'key.full': 'key',
  'key.auth_rejected': 'key',
  'minion.start': 'minion',
};

/** `hide_routine` hides exactly these rows: successful job returns that changed nothing. */
export function isRoutineActivity(event: Pick<ActivityEventDto, 'event_type' | 'outcome'>): boolean {
  return event.event_type === 'job.ret' && event.outcome === 'ok';
}

export interface ActivityEventDto {
  /** bigint as text. */
  id: string;
  /** ISO 8601 UTC, from the event's `_stamp` (when Salt fired it). */
  occurred_at: string;
  /** ISO 8601 UTC, when Sylvite ingested it. */
  received_at: string;
  category: ActivityCategory;
  event_type: ActivityEventType;
  outcome: ActivityOutcome;
  /** The returning / keyed / starting minion; null for `job.new` and runner jobs. */
  minion_id: string | null;
  jid: string | null;
  /** `state.apply`, `runner.state.orchestrate`; a multi-function job's functions joined by `,`. */
  fun: string | null;
  /** The Salt user (`saltapi`, `sudo_alice`, `root`) or source (`schedule:<name>`). */
  initiator: string | null;
  /** The target expression; a list target joined by `,`. */
  target: string | null;
  /** `glob`, `list`, `compound`, … */
  target_type: string | null;
  /** For a multi-function job, the worst of its retcodes. */
  retcode: number | null;
  /** Sum of the state results' durations; null when the function returns no states. */
  duration_ms: number | null;
  summary: string;
}

export interface ActivityEventDetailDto extends ActivityEventDto {
  /**
   * The stored event as JSON text (`{"tag": …, "data": …}`). When `raw_truncated`, it is only the
   * first bytes and does not parse; null when the payload is no longer kept.
   */
  raw: string | null;
  /** The byte size of the whole event as received. */
  raw_size: number;
  raw_truncated: boolean;
  /** Salt replaced oversized values with `"VALUE_TRIMMED"`; the jobs index holds the full return. */
  raw_value_trimmed: boolean;
}

export interface ActivityPage {
  /**
   * Exact, or a lower bound when `total_is_estimate` (counting deep tables exactly is too slow).
   * A `next_before_cursor` page repeats the figure of the page its walk started from (see cursor.ts).
   */
  total: number;
  total_is_estimate: boolean;
  events: ActivityEventDto[];
  /** Pass as `before_cursor` for the next (older) page; null when there is none. */
  next_before_cursor: string | null;
  /** The newest row of this page (`<iso_occurred_at>|<id>`), for `since_cursor` polling. */
  newest_cursor: string | null;
}

export const ACTIVITY_LIMIT_DEFAULT = 100;
export const ACTIVITY_LIMIT_MAX = 500;
export const ACTIVITY_SINCE_MINUTES_MAX = 10_080;

/** Filters shared by GET /api/activity and GET /api/activity/stream, already parsed. */
export interface ActivityStreamFilter {
  category?: ActivityCategory;
  /** `categories=job,key` on the wire. */
  categories?: ActivityCategory[];
  minion_id?: string;
  event_type?: ActivityEventType;
  /** Case-insensitive substring over summary, minion id, function, initiator and target (`q` is an alias). */
  search?: string;
  /** Hides successful job returns with no changes. */
  hide_routine?: boolean;
  /** Hides `job.new`. */
  hide_dispatch?: boolean;
}

/** GET /api/activity query, parsed. Cursors are `<iso_occurred_at>|<id>` (see cursor.ts). */
export interface ActivityQuery extends ActivityStreamFilter {
  jid?: string;
  /** ISO 8601, inclusive. */
  since?: string;
  /** ISO 8601, exclusive. */
  until?: string;
  /** 1–10080. */
  since_minutes?: number;
  /** 1–500, default 100. */
  limit?: number;
  offset?: number;
  before_cursor?: string;
  since_cursor?: string;
}

/** GET /api/activity/widget-config: the settings' widget section. */
export type ActivityWidgetConfig = WidgetSettings;

/** The activity stream's `event: status` payload: the api's connection to salt-api's event bus. */
export interface ActivityStreamStatus {
  /** `standby`: another replica holds the stream (this one relays its rows). */
  state: 'connected' | 'reconnecting' | 'disabled' | 'standby';
  last_event_at: string | null;
  last_byte_at: string | null;
  reconnects: number;
  events_per_second: number;
  /** Receive time minus the event's `_stamp` of the latest event (clock skew included). */
  lag_ms: number | null;
  /** Why the stream is not connected (login refused, salt-api unreachable…); null when fine. */
  last_error?: string | null;
  /** Events parsed and waiting for the database writer. */
  queue_depth?: number;
}
