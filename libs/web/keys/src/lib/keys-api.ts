import { inject, Injectable } from '@angular/core';
import type { KeyActionDto, KeysDto } from '@sylvite/contracts';
import { ApiClient } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

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
