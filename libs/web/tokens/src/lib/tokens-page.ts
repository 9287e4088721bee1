import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSnackBar } from '@angular/material/snack-bar';
import type { ApiTokenDto, CreatedApiTokenDto } from '@sylvite/contracts';
import { AuthService, liveResource, resourceError, toApiError, valueOf } from '@sylvite/web-data-access';
import { Badge, ConfirmService, EmptyState, ErrorState, Icon, Loading, PageHeader, RelativeTime } from '@sylvite/web-ui';
import { firstValueFrom } from 'rxjs';
import { TokensApi } from './tokens-api';

/** Each user's own API tokens for integrators and CI: create (the secret is shown once), revoke. */
@Component({
  selector: 'syl-tokens-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    PageHeader,
    EmptyState,
    ErrorState,
    Loading,
    Badge,
    RelativeTime,
    Icon,
  ],
  templateUrl: './tokens-page.html',
  styles: `
    .secret {
      display: flex;
      gap: 8px;
      align-items: center;
      margin: 8px 0 12px;
    }
    .secret code {
      flex: 1;
      padding: 10px 12px;
      border-radius: 8px;
      background: var(--mat-sys-surface-container-high);
      overflow-wrap: anywhere;
    }
    .created {
      border-color: var(--mat-sys-primary);
    }
    .full {
      width: 100%;
    }
    .perms {
      display: flex;
      flex-wrap: wrap;
      gap: 0 16px;
      margin-bottom: 8px;
    }
  `,
})
export class TokensPage {
  private readonly api = inject(TokensApi);
  private readonly auth = inject(AuthService);
  private readonly confirmer = inject(ConfirmService);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly tokens = liveResource({ params: () => true, stream: () => this.api.list() });
  protected readonly error = resourceError(this.tokens);
  private readonly tokenList = valueOf(this.tokens);
  protected readonly myPermissions = computed(() => this.auth.me()?.permissions ?? []);
  protected readonly creating = signal(false);
  protected readonly formOpen = signal(false);
  protected readonly createError = signal<string | null>(null);
  /** The secret of the token just created: kept only in this signal, gone once dismissed. */
  protected readonly created = signal<CreatedApiTokenDto | null>(null);
  protected readonly copied = signal(false);
  private readonly chosen = signal<ReadonlySet<string>>(new Set());

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(100)]],
    extra: [''],
    expires: [90, [Validators.required, Validators.min(1), Validators.max(365)]],
  });

  protected readonly active = computed(() => (this.tokenList() ?? []).filter((t) => !t.revoked_at));
  protected readonly revoked = computed(() => (this.tokenList() ?? []).filter((t) => !!t.revoked_at));

  protected isChosen(permission: string): boolean {
    return this.chosen().has(permission);
  }

  protected choose(permission: string, on: boolean): void {
    this.chosen.update((set) => {
      const next = new Set(set);
      if (on) next.add(permission);
      else next.delete(permission);
      return next;
    });
  }

  protected openForm(): void {
    this.formOpen.set(true);
    this.createError.set(null);
  }

  protected async create(): Promise<void> {
    if (this.form.invalid || this.creating()) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    const extra = value.extra
      .split(/[\s,]+/)
      .map((p) => p.trim())
      .filter(Boolean);
    const permissions = [...new Set([...this.chosen(), ...extra])];
    if (!permissions.length) {
      this.createError.set('Choose at least one permission for the token.');
      return;
    }
    this.creating.set(true);
    this.createError.set(null);
    try {
      const token = await firstValueFrom(this.api.create({ name: value.name.trim(), permissions, expires_in_days: value.expires }));
      this.created.set(token);
      this.copied.set(false);
      this.formOpen.set(false);
      this.form.reset({ name: '', extra: '', expires: 90 });
      this.chosen.set(new Set());
      this.tokens.reload();
    } catch (error) {
      this.createError.set(toApiError(error).message);
    } finally {
      this.creating.set(false);
    }
  }

  protected async copy(secret: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret);
      this.copied.set(true);
    } catch {
      this.snackBar.open('Could not copy; select the token and copy it by hand.', 'Dismiss', { duration: 6000 });
    }
  }

  protected dismissSecret(): void {
    this.created.set(null);
  }

  protected async revoke(token: ApiTokenDto): Promise<void> {
    const ok = await this.confirmer.confirm({
      title: 'Revoke this token?',
      message: `Anything using "${token.name}" (${token.prefix}…) stops working at once. This cannot be undone.`,
      confirmLabel: 'Revoke token',
      tone: 'danger',
    });
    if (!ok) return;
    try {
      await firstValueFrom(this.api.revoke(token.id));
      this.snackBar.open(`Token "${token.name}" revoked.`, undefined, { duration: 4000 });
      this.tokens.reload();
    } catch (error) {
      this.snackBar.open(toApiError(error).message, 'Dismiss', { duration: 8000 });
    }
  }
}
