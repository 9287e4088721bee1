import { inject, Injectable } from '@angular/core';
import type { MinionDetailDto, MinionDto, MinionsPageDto } from '@sylvite/contracts';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

export interface MinionsQuery {
  q?: string | null;
  status?: 'online' | 'offline' | null;
  key_state?: MinionDto['key_state'] | null;
  limit?: number;
  offset?: number;
}

@Injectable({ providedIn: 'root' })
export class MinionsApi {
  private readonly api = inject(ApiClient);

  list(query: MinionsQuery): Observable<MinionsPageDto> {
    return this.api.get<MinionsPageDto>('/minions', query as QueryParams);
  }

  detail(id: string): Observable<MinionDetailDto> {
    return this.api.get<MinionDetailDto>(`/minions/${encodeURIComponent(id)}`);
  }
}
