import { inject, Injectable } from '@angular/core';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

/*
 * The Salt operations API on the wire (issue 5).
 * TODO(contracts): the api declares these in libs/api/salt/src/lib/wire.ts ("plain types, the console can
 * take them as they are once they move to @sylvite/contracts"); import them from there when they move.
 */

export type JobStatus = 'running' | 'complete';
export type JobOutcome = 'failed' | 'changes' | 'would_change' | 'ok' | 'noreturn';

export interface JobCounts {
  targeted: number;
  returned: number;
  failed: number;
  noreturn: number;
  pending: number;
}

export interface JobSummaryDto {
  jid: string;
  fun: string | null;
  args: unknown[] | null;
  target: string | null;
  target_type: string | null;
  user: string | null;
  requested_by: string | null;
  started_at: string;
  status: JobStatus;
  outcome: JobOutcome | null;
  counts: JobCounts;
}

export interface JobsPageDto {
  items: JobSummaryDto[];
  limit: number;
  offset: number;
  next_before_cursor: string | null;
}

export interface StateResultDto {
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
  state: 'returned' | 'noreturn' | 'pending';
  targeted: boolean;
  outcome: JobOutcome | null;
  success: boolean | null;
  retcode: number | null;
  changes_count: number | null;
  duration_ms: number | null;
  states: StateResultDto[] | null;
  return?: unknown;
}

export interface JobDetailDto extends JobSummaryDto {
  minions: JobMinionDto[];
  source: 'salt-api' | 'stored';
  live_error: string | null;
}

export const TARGET_TYPES = ['glob', 'list', 'pcre', 'grain', 'nodegroup', 'compound'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface RunRequest {
  target: string | string[];
  target_type: TargetType;
  fun: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

export interface RunResponseDto {
  jid: string;
  minions: string[];
}

export interface KillResponseDto {
  jid: string;
  kill_jid: string;
  minions: string[];
}

/** GET /api/jobs filters, as the API names them. */
export interface JobsQuery {
  function?: string | null;
  user?: string | null;
  target?: string | null;
  minion?: string | null;
  status?: JobStatus | null;
  since?: string | null;
  until?: string | null;
  limit?: number;
  before_cursor?: string | null;
}

@Injectable({ providedIn: 'root' })
export class JobsApi {
  private readonly api = inject(ApiClient);

  list(query: JobsQuery): Observable<JobsPageDto> {
    return this.api.get<JobsPageDto>('/jobs', query as QueryParams);
  }

  detail(jid: string): Observable<JobDetailDto> {
    return this.api.get<JobDetailDto>(`/jobs/${encodeURIComponent(jid)}`);
  }

  run(request: RunRequest): Observable<RunResponseDto> {
    return this.api.post<RunResponseDto>('/run', request);
  }

  kill(jid: string): Observable<KillResponseDto> {
    return this.api.post<KillResponseDto>(`/jobs/${encodeURIComponent(jid)}/kill`);
  }
}
