import { inject, Injectable } from '@angular/core';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

/* TODO(contracts): mirrors libs/api/salt/src/lib/wire.ts until the shapes move to @sylvite/contracts. */
export type MinionJobOutcome = 'failed' | 'changes' | 'would_change' | 'ok' | 'noreturn';

export interface MinionJobRefDto {
  jid: string;
  fun: string | null;
  started_at: string;
  outcome: MinionJobOutcome | null;
}

export interface MinionDto {
  id: string;
  key_state: 'accepted' | 'pending' | 'rejected' | 'denied';
  status: 'online' | 'offline';
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
