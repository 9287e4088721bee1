/** Salt jobs on the wire (issue 5): GET /api/jobs, GET /api/jobs/:jid, POST /api/run, POST /api/jobs/:jid/kill. */

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
