import { ChangeDetectionStrategy, Component, effect, inject, input, output, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { SaltConnectionTestResult, SaltSettingsView } from '@sylvite/contracts';
import { toApiError } from '@sylvite/web-data-access';
import { Badge } from '@sylvite/web-ui';
import { firstValueFrom } from 'rxjs';
import { type SaltSettingsPatch, SettingsApi } from './settings-api';

/** The salt-api connection: edit, test without saving, save (the stream reconnects by itself). */
@Component({
  selector: 'syl-salt-settings-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, Badge],
  template: `
    <form class="syl-card" [formGroup]="form" (ngSubmit)="save()" aria-labelledby="salt-heading" data-testid="settings-salt">
      <h2 id="salt-heading">Salt connection</h2>
      <p class="syl-muted">
        salt-api (rest_cherrypy) that Sylvite logs in to.
        @if (salt().from_environment.length) {
          From the environment until saved here: {{ salt().from_environment.join(', ') }}.
        }
      </p>
      <div class="syl-form-row">
        <mat-form-field>
          <mat-label>salt-api URL</mat-label>
          <input matInput formControlName="url" placeholder="https://salt-master:8000" />
        </mat-form-field>
        <mat-form-field>
          <mat-label>Username</mat-label>
          <input matInput formControlName="username" autocomplete="off" />
        </mat-form-field>
      </div>
      <div class="syl-form-row">
        <mat-form-field>
          <mat-label>Password</mat-label>
          <input
            matInput
            type="password"
            formControlName="password"
            autocomplete="new-password"
          />
          <mat-hint>{{ salt().password_set ? 'A password is saved; leave empty to keep it.' : 'No password saved.' }}</mat-hint>
        </mat-form-field>
        <mat-form-field>
          <mat-label>eauth</mat-label>
          <input matInput formControlName="eauth" placeholder="pam, auto, ldap…" />
        </mat-form-field>
      </div>
      @if (busy()) {
        <mat-progress-bar mode="indeterminate" aria-label="Working" />
      }
      @if (message(); as m) {
        <p role="status" [class.syl-danger]="m.error">{{ m.text }}</p>
      }
      @if (result(); as r) {
        <div class="result" role="status" data-testid="salt-test-result">
          <p>
            <syl-badge [tone]="r.ok ? 'success' : 'danger'">{{ r.ok ? 'Connected' : 'Failed' }}</syl-badge>
            {{ r.ok ? 'Logged in as ' + (r.user ?? '?') + ' in ' + r.latency_ms + ' ms.' : r.error }}
          </p>
          @if (r.ok) {
            <dl class="syl-facts">
              @if (r.salt_version) {
                <dt>Salt version</dt>
                <dd>{{ r.salt_version }}</dd>
              }
              @if (r.server) {
                <dt>Server</dt>
                <dd>{{ r.server }}</dd>
              }
              <dt>Minions</dt>
              <dd>{{ r.minion_count ?? 'unknown' }}{{ r.pending_keys ? ' (' + r.pending_keys + ' keys pending)' : '' }}</dd>
              <dt>Clients</dt>
              <dd>{{ r.clients.join(', ') || 'unknown' }}</dd>
              @if (r.missing_clients.length) {
                <dt>Missing</dt>
                <dd class="syl-danger">{{ r.missing_clients.join(', ') }} (enable them in netapi_enable_clients)</dd>
              }
            </dl>
          }
        </div>
      }
      <div class="syl-actions">
        <button mat-flat-button type="submit" [disabled]="busy()">Save</button>
        <button mat-stroked-button type="button" (click)="test()" [disabled]="busy()" data-testid="salt-test">Test connection</button>
      </div>
    </form>
  `,
  styles: `
    .result {
      margin: 8px 0 16px;
    }
  `,
})
export class SaltSettingsCard {
  readonly salt = input.required<SaltSettingsView>();
  readonly saved = output<void>();

  private readonly api = inject(SettingsApi);
  protected readonly form = inject(NonNullableFormBuilder).group({ url: [''], username: [''], password: [''], eauth: ['auto'] });
  protected readonly busy = signal(false);
  protected readonly message = signal<{ text: string; error: boolean } | null>(null);
  protected readonly result = signal<SaltConnectionTestResult | null>(null);

  constructor() {
    effect(() => {
      const salt = this.salt();
      this.form.reset({ url: salt.url ?? '', username: salt.username ?? '', password: '', eauth: salt.eauth });
    });
  }

  private patch(): SaltSettingsPatch {
    const v = this.form.getRawValue();
    return {
      url: v.url.trim() || null,
      username: v.username.trim() || null,
      eauth: v.eauth.trim() || 'auto',
      ...(v.password ? { password: v.password } : {}),
    };
  }

  protected async test(): Promise<void> {
    this.busy.set(true);
    this.message.set(null);
    this.result.set(null);
    try {
      this.result.set(await firstValueFrom(this.api.testSalt(this.patch())));
    } catch (error) {
      this.message.set({ text: toApiError(error).message, error: true });
    } finally {
      this.busy.set(false);
    }
  }

  protected async save(): Promise<void> {
    this.busy.set(true);
    this.message.set(null);
    try {
      await firstValueFrom(this.api.saveSalt(this.patch()));
      this.message.set({ text: 'Saved. The event stream reconnects with the new settings.', error: false });
      this.saved.emit();
    } catch (error) {
      this.message.set({ text: toApiError(error).message, error: true });
    } finally {
      this.busy.set(false);
    }
  }
}
