import { inject, Injectable } from '@angular/core';
import type { JobDetailDto, JobsPageDto, JobStatus, KillResponseDto, RunResponseDto } from '@sylvite/contracts';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

/** POST /api/run's target types; the api validates against its own TARGET_TYPES (libs/api/salt target.ts). */
export const TARGET_TYPES = ['glob', 'list', 'pcre', 'grain', 'nodegroup', 'compound'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface RunRequest {
  target: string | string[];
  target_type: TargetType;
  fun: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
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
