import { HttpErrorResponse } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import { Router } from '@angular/router';
import type {
  ChangePasswordRequest,
  LoginRequest,
  MeResponse,
  PermissionKey,
  SetupRequest,
  SetupStatus,
} from '@sylvite/contracts';
import { decide } from '@sylvite/contracts';
import { firstValueFrom } from 'rxjs';
import { type AccessRule, canAccess } from './access';
import { ApiClient } from './api-client';

/**
 * The signed-in user, as `/api/auth/me` describes them. `undefined` until the first check has
 * answered, `null` when signed out.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly current = signal<MeResponse | null | undefined>(undefined);
  private loading: Promise<MeResponse | null> | null = null;

  readonly me = this.current.asReadonly();
  readonly user = computed(() => this.current()?.user ?? null);
  readonly signedIn = computed(() => !!this.current());

  /** Answers from memory after the first check; concurrent callers share one request. */
  ensureLoaded(): Promise<MeResponse | null> {
    const known = this.current();
    if (known !== undefined) return Promise.resolve(known);
    return this.refresh();
  }

  /** Asks the server again, e.g. after a 401 that may or may not mean the session ended. */
  refresh(): Promise<MeResponse | null> {
    this.loading ??= firstValueFrom(this.api.get<MeResponse>('/auth/me'))
      .then(
        (me) => {
          this.current.set(me);
          return me;
        },
        (error: unknown) => {
          if (error instanceof HttpErrorResponse && error.status === 401) {
            this.current.set(null);
            return null;
          }
          // The server is unreachable or failing: treat as signed out for this navigation but ask
          // again next time instead of remembering an answer we never got.
          return null;
        },
      )
      .finally(() => (this.loading = null));
    return this.loading;
  }

  async login(credentials: LoginRequest): Promise<MeResponse> {
    const me = await firstValueFrom(this.api.post<MeResponse>('/auth/login', credentials));
    this.current.set(me);
    return me;
  }

  async logout(): Promise<void> {
    try {
      await firstValueFrom(this.api.post<void>('/auth/logout'));
    } finally {
      this.current.set(null);
    }
  }

  setupStatus(): Promise<SetupStatus> {
    return firstValueFrom(this.api.get<SetupStatus>('/auth/setup'));
  }

  async completeSetup(request: SetupRequest): Promise<MeResponse> {
    const me = await firstValueFrom(this.api.post<MeResponse>('/auth/setup', request));
    this.current.set(me);
    return me;
  }

  changePassword(request: ChangePasswordRequest): Promise<void> {
    return firstValueFrom(this.api.post<void>('/auth/change-password', request));
  }

  /** The session is gone (expired, revoked, signed out elsewhere): forget it and ask to sign in again. */
  sessionEnded(): void {
    this.current.set(null);
    const url = this.router.url;
    if (url.startsWith('/login') || url.startsWith('/setup')) return;
    void this.router.navigate(['/login'], { queryParams: url && url !== '/' ? { returnUrl: url } : {} });
  }

  can(permission: PermissionKey): boolean {
    const me = this.current();
    return !!me && decide(me, permission).allowed;
  }

  canAccess(rule: AccessRule): boolean {
    return canAccess(this.current(), rule);
  }
}
