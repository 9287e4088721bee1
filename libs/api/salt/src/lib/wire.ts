/**
 * The wire shapes of the Salt operations API (issue 5). Plain types, no Nest: the console can
 * take them as they are once they move to @sylvite/contracts.
 */

export type JobStatus = 'running' | 'complete';
export type JobOutcome = 'failed' | 'changes' | 'would_change' | 'ok' | 'noreturn';

export interface JobCounts {
  /** Minions the master expected to run the job. */
  targeted: number;
  returned: number;
  failed: number;
  /** Marked as not returned by the deadline. */
  noreturn: number;
  /** Targeted and not (yet) returned. */
  pending: number;
}

export interface JobSummaryDto {
  jid: string;
  fun: string | null;
  args: unknown[] | null;
  target: string | null;
  target_type: string | null;
  /** The Salt user that published the job (the salt-api login for Sylvite's own jobs). */
  user: string | null;
  /** The Sylvite user who dispatched it through POST /api/run, when it was. */
  requested_by: string | null;
  started_at: string;
  status: JobStatus;
  /** The worst minion outcome so far (or a runner's own). */
  outcome: JobOutcome | null;
  counts: JobCounts;
}

export interface JobsPageDto {
  items: JobSummaryDto[];
  limit: number;
  offset: number;
  /** Pass as `before_cursor` for the next (older) page; null on the last page. */
  next_before_cursor: string | null;
}

export interface StateResultDto {
  /** `<module>_|-<id>_|-<name>_|-<function>` as salt keys it. */
  key: string;
  state: string;
  id: string;
  name: string;
  function: string;
  result: boolean | null;
  changes: unknown;
  comment: unknown;
  sls: string | null;
  run_num: number | null;
  duration_ms: number | null;
}

export interface JobMinionDto {
  id: string;
  /** `returned`; `noreturn` (did not return by the deadline); `pending` (targeted, no return yet). */
  state: 'returned' | 'noreturn' | 'pending';
  /** Whether the master expected it (false: a return from a minion not in the job's list). */
  targeted: boolean;
  outcome: JobOutcome | null;
  success: boolean | null;
  retcode: number | null;
  changes_count: number | null;
  duration_ms: number | null;
  /** The state results of a state run, in execution order; null for other functions. */
  states: StateResultDto[] | null;
  /** The function's return for other functions (live from salt-api only). */
  return?: unknown;
}

export interface JobDetailDto extends JobSummaryDto {
  minions: JobMinionDto[];
  /** `salt-api`: live from the master's job cache; `stored`: from Sylvite's index (salt-api could not answer). */
  source: 'salt-api' | 'stored';
  /** Why the live answer is missing, when `source` is `stored`. */
  live_error: string | null;
}

export interface RunResponseDto {
  jid: string;
  minions: string[];
}

export interface KillResponseDto {
  /** The job asked to stop. */
  jid: string;
  /** The `saltutil.kill_job` job that carries the request. */
  kill_jid: string;
  minions: string[];
}

export type KeyState = 'accepted' | 'pending' | 'rejected' | 'denied';

export interface KeysDto {
  accepted: string[];
  pending: string[];
  rejected: string[];
  denied: string[];
}

export interface KeyActionDto {
  id: string;
  /** The states the id had keys in before the action (two when a denied key sits beside another). */
  previous_states: KeyState[];
  state: KeyState | 'deleted';
}

export interface MinionJobRefDto {
  jid: string;
  fun: string | null;
  started_at: string;
  outcome: JobOutcome | null;
}

export interface MinionDto {
  id: string;
  key_state: KeyState;
  status: 'online' | 'offline';
  /** The last time the minion was seen: connected per the master, a return, a start or a grains answer. */
  last_seen: string | null;
  os: string | null;
  os_release: string | null;
  ip: string | null;
  last_job: MinionJobRefDto | null;
  last_highstate: MinionJobRefDto | null;
}

export interface MinionsPageDto {
  items: MinionDto[];
  total: number;
  limit: number;
  offset: number;
}

export interface MinionDetailDto extends MinionDto {
  grains: Record<string, unknown> | null;
  recent_jobs: MinionJobRefDto[];
}
