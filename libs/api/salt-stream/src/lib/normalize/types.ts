import type { ActivityCategory, ActivityEventType, ActivityOutcome } from '@sylvite/contracts';

/** One event as salt-api streams it: the JSON of a `data:` line. */
export interface SaltEvent {
  tag: string;
  data: unknown;
}

/** What the caller knows beyond the event itself. */
export interface NormalizeMeta {
  /** When Sylvite read the event; defaults to now. */
  receivedAt?: Date;
  /**
   * The event's JSON text exactly as it arrived (the `data:` line). Passing it spares a second
   * serialization of a possibly multi-MiB payload; without it the event is serialized once.
   */
  rawJson?: string;
  /** For events rebuilt from the jobs index, which carry no `_stamp`. */
  occurredAt?: Date;
}

/** The raw event as stored: bounded, with its real size. */
export interface BoundedRaw {
  /** JSON text; when `truncated`, a prefix of it cut on a UTF-8 boundary (it does not parse). */
  text: string;
  /** UTF-8 byte size of the whole event. */
  size: number;
  truncated: boolean;
  /** The event contains Salt's `"VALUE_TRIMMED"` sentinel (values over `max_event_size`). */
  valueTrimmed: boolean;
}

/** One row ready for storage (`activity_events` + its payload table). */
export interface NormalizedActivity {
  kind: ActivityEventType;
  category: ActivityCategory;
  outcome: ActivityOutcome;
  tag: string;
  occurredAt: Date;
  receivedAt: Date;
  jid: string | null;
  minionId: string | null;
  /** `job.new`: the minions expected to answer (for scoping and `job.noreturn`); null otherwise. */
  minions: string[] | null;
  /** `job.new`: the publish `arg`, handed to the jobs index with the committed row (never stored apart from the raw event). */
  args?: unknown[] | null;
  fun: string | null;
  initiator: string | null;
  target: string | null;
  targetType: string | null;
  retcode: number | null;
  success: boolean | null;
  /** State returns: entries with non-empty `changes`; null for non-state functions. */
  changesCount: number | null;
  /** State returns: how many state entries; null for non-state functions. */
  stateCount: number | null;
  /** State returns: entries with `result: false`; null for non-state functions. */
  failedCount: number | null;
  /** Sum of the state entries' `duration`, ms; null when no entry carries one. */
  durationMs: number | null;
  /** Runner jobs (`salt/run/…`) rather than minion jobs. */
  runner: boolean;
  summary: string;
  /** Lower-cased summary, minion id, function, initiator and target, for trigram search. */
  searchText: string;
  /** Idempotency key: jid + minion + kind for jobs; a start / key event's identity otherwise. */
  dedupeKey: string;
  /** A return whose initiator or target could not be found; the connector backfills by jid. */
  needsBackfill: boolean;
  raw: BoundedRaw;
}

/** Why an event is not activity. */
export type IgnoreReason =
  /** `<jid>` companion of `job.new` (and very old returns carried on it). */
  | 'bare-jid'
  /** `salt/wheel/…`: key operations show up as `salt/key`. */
  | 'wheel'
  /** `saltutil.find_job` polls of a synchronous client, and their returns. */
  | 'find_job'
  /** The jobs lookups Sylvite itself makes through salt-api (`jobs.list_job`, …). */
  | 'own-runner'
  /** `salt/auth` act `accept`: a minion re-authenticated. */
  | 'reauth'
  /** `minion/refresh/<id>`: fired on every pillar compile. */
  | 'refresh'
  /** `sub/<minion>/error`, `prog`, `<module>.<function>` duplicates of failed states. */
  | 'side-event'
  /** `salt/run/<jid>/args|progress|print`. */
  | 'runner-detail'
  /** The second of the `minion_start` / `salt/minion/<id>/start` pair. */
  | 'duplicate-start'
  /** `salt/auth` `pend` for a key already pending (the minion retries every few seconds). */
  | 'repeat-pend'
  /** `salt/auth` denied / full / refused again for a minion already recorded in that state. */
  | 'repeat-auth'
  /** Sylvite's own liveness probe coming back (`salt/netapi/hook/sylvite/heartbeat`). */
  | 'heartbeat'
  /** Other `salt/netapi/hook/…` webhooks. */
  | 'hook'
  | 'presence'
  /** `key` `{rotate_aes_key: true}`. */
  | 'aes-rotation'
  /** `salt/job/error`, `salt/job/<jid>/error`: a publish refused by eauth. */
  | 'publish-error'
  | 'syndic'
  /** `salt/key` with an `act` other than accept / reject / delete. */
  | 'unknown-key-act'
  /** A known tag whose data lacks what the row needs (no minion id, data not an object). */
  | 'malformed'
  | 'other';

export type NormalizeResult =
  | { type: 'activity'; row: NormalizedActivity }
  | { type: 'ignored'; reason: IgnoreReason };

/** What is known about a job, from its `job.new` or from the jobs index. */
export interface JobContext {
  jid: string;
  fun: string | null;
  initiator: string | null;
  target: string | null;
  targetType: string | null;
  /** When dispatched; null when only the jobs index knew the job. */
  dispatchedAt: Date | null;
  /** Expected minions. */
  minions: readonly string[];
}
