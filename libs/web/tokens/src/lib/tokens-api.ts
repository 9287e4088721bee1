import { inject, Injectable } from '@angular/core';
import type { ApiTokenDto, CreatedApiTokenDto } from '@sylvite/contracts';
import { ApiClient } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

export interface CreateTokenRequest {
  name: string;
  permissions: string[];
  expires_in_days?: number;
}

@Injectable({ providedIn: 'root' })
export class TokensApi {
  private readonly api = inject(ApiClient);

  list(): Observable<ApiTokenDto[]> {
    return this.api.get<ApiTokenDto[]>('/tokens');
  }

  create(request: CreateTokenRequest): Observable<CreatedApiTokenDto> {
    return this.api.post<CreatedApiTokenDto>('/tokens', request);
  }

  revoke(id: string): Observable<void> {
    return this.api.delete(`/tokens/${encodeURIComponent(id)}`);
  }
}
