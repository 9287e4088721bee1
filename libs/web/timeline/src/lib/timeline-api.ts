import { inject, Injectable } from '@angular/core';
// Aliased: this library's TimelinePage is the page component.
import type { TimelinePage as TimelinePageDto, UserDto } from '@sylvite/contracts';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

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
