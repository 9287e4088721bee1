import { inject, Injectable } from '@angular/core';
import type { AuditPage, UserDto } from '@sylvite/contracts';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class AuditApi {
  private readonly api = inject(ApiClient);

  list(query: QueryParams): Observable<AuditPage> {
    return this.api.get<AuditPage>('/audit', query);
  }

  /** For the user filter; only asked when the reader may list users. */
  users(): Observable<UserDto[]> {
    return this.api.get<UserDto[]>('/users');
  }
}
