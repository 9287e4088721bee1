import { inject, Injectable } from '@angular/core';
import type { UserDto } from '@sylvite/contracts';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

/*
 * GET /api/v1/activity (seeds/002, issue 6).
 * TODO(contracts): the api declares these in libs/api/projects/src/lib/wire.ts; import from contracts when they move.
 */
export interface TimelineItem {
  id: string;
  project_id: string | null;
  project_slug: string | null;
  user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'success' | 'failure' | null;
  outcome: 'allow' | 'deny';
  metadata: unknown;
  source_ip: string | null;
  occurred_at: string;
}

export interface TimelinePageDto {
  items: TimelineItem[];
  next_before_cursor: string | null;
  newest_cursor: string | null;
}

export interface ProjectRef {
  slug: string;
  name: string;
}

@Injectable({ providedIn: 'root' })
export class TimelineApi {
  private readonly api = inject(ApiClient);

  page(query: QueryParams): Observable<TimelinePageDto> {
    return this.api.get<TimelinePageDto>('/v1/activity', query);
  }

  /** Every project (global project admins). Others pick from their memberships. */
  projects(): Observable<ProjectRef[]> {
    return this.api.get<ProjectRef[]>('/projects');
  }

  users(): Observable<UserDto[]> {
    return this.api.get<UserDto[]>('/users');
  }
}
