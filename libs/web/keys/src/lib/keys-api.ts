import { inject, Injectable } from '@angular/core';
import { ApiClient } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

/* TODO(contracts): mirrors libs/api/salt/src/lib/wire.ts until the shapes move to @sylvite/contracts. */
export type KeyState = 'accepted' | 'pending' | 'rejected' | 'denied';

export interface KeysDto {
  accepted: string[];
  pending: string[];
  rejected: string[];
  denied: string[];
}

export interface KeyActionDto {
  id: string;
  /** The states the id had keys in before (two when a denied key sits beside another). */
  previous_states: KeyState[];
  state: KeyState | 'deleted';
}

@Injectable({ providedIn: 'root' })
export class KeysApi {
  private readonly api = inject(ApiClient);

  list(): Observable<KeysDto> {
    return this.api.get<KeysDto>('/keys');
  }

  accept(id: string): Observable<KeyActionDto> {
    return this.api.post<KeyActionDto>(`/keys/${encodeURIComponent(id)}/accept`);
  }

  reject(id: string): Observable<KeyActionDto> {
    return this.api.post<KeyActionDto>(`/keys/${encodeURIComponent(id)}/reject`);
  }

  delete(id: string): Observable<KeyActionDto> {
    return this.api.delete<KeyActionDto>(`/keys/${encodeURIComponent(id)}`);
  }
}
