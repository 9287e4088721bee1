import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { liveResource, resourceError, toApiError, valueOf } from '@sylvite/web-data-access';
import { ErrorState, Loading, PageHeader } from '@sylvite/web-ui';
import { firstValueFrom, type Observable } from 'rxjs';
import { SaltSettingsCard } from './salt-settings-card';
import { SettingsApi } from './settings-api';

type Section = 'stream' | 'retention' | 'auditRetention' | 'widget' | 'audit';

@Component({
  selector: 'syl-settings-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatSlideToggleModule,
    MatProgressBarModule,
    PageHeader,
    ErrorState,
    Loading,
    SaltSettingsCard,
  ],
  templateUrl: './settings-page.html',
  styles: `
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(380px, 1fr));
      gap: 0 16px;
      align-items: start;
    }
    .checks {
      display: flex;
      flex-direction: column;
      gap: 4px;
      margin-bottom: 12px;
    }
  `,
})
export class SettingsPage {
  private readonly api = inject(SettingsApi);
  private readonly fb = inject(NonNullableFormBuilder);

  protected readonly settings = liveResource({ params: () => true, stream: () => this.api.get() });
  protected readonly error = resourceError(this.settings);
  protected readonly auditRetention = liveResource({ params: () => true, stream: () => this.api.auditRetention() });
  private readonly view = valueOf(this.settings);
  private readonly auditRetentionView = valueOf(this.auditRetention);

  protected readonly saving = signal<Section | null>(null);
  protected readonly messages = signal<Partial<Record<Section, { text: string; error: boolean }>>>({});

  protected readonly retentionForm = this.fb.group({ days: [30, [Validators.required, Validators.min(1), Validators.max(365)]] });
  protected readonly auditRetentionForm = this.fb.group({ days: [365, [Validators.required, Validators.min(0)]] });
  protected readonly widgetForm = this.fb.group({
    widget_show_jobs: [true],
    widget_show_keys: [true],
    widget_show_minions: [true],
    widget_hide_dispatch: [true],
    widget_hide_routine: [false],
    widget_event_count: [6, [Validators.required, Validators.min(1), Validators.max(50)]],
    widget_heartbeat_minutes: [60, [Validators.required, Validators.min(5), Validators.max(1440)]],
  });

  constructor() {
    effect(() => {
      const view = this.view();
      if (!view) return;
      this.retentionForm.reset({ days: view.retention.days });
      this.widgetForm.reset(view.widget);
    });
    effect(() => {
      const retention = this.auditRetentionView();
      if (retention) this.auditRetentionForm.reset({ days: retention.days });
    });
  }

  protected setStream(enabled: boolean): void {
    void this.save('stream', this.api.saveStream(enabled), enabled ? 'Event stream on: Sylvite connects to salt-api now.' : 'Event stream off.');
  }

  protected setAuditReads(on: boolean): void {
    void this.save('audit', this.api.saveAudit(on), on ? 'Reads of guarded pages are now audited too.' : 'Only changes and denials are audited.');
  }

  protected saveRetention(): void {
    if (this.retentionForm.invalid) return;
    void this.save('retention', this.api.saveRetention(this.retentionForm.getRawValue().days), 'Saved.');
  }

  protected saveAuditRetention(): void {
    if (this.auditRetentionForm.invalid) return;
    void this.save('auditRetention', this.api.saveAuditRetention(this.auditRetentionForm.getRawValue().days), 'Saved.', false);
  }

  protected saveWidget(): void {
    if (this.widgetForm.invalid) return;
    void this.save('widget', this.api.saveWidget(this.widgetForm.getRawValue()), 'Saved. The Overview shows it from now on.');
  }

  protected reload(): void {
    this.settings.reload();
  }

  private async save(section: Section, request: Observable<unknown>, done: string, reloadAll = true): Promise<void> {
    this.saving.set(section);
    this.messages.update((m) => ({ ...m, [section]: undefined }));
    try {
      await firstValueFrom(request);
      this.messages.update((m) => ({ ...m, [section]: { text: done, error: false } }));
      if (reloadAll) this.settings.reload();
      else this.auditRetention.reload();
    } catch (error) {
      this.messages.update((m) => ({ ...m, [section]: { text: toApiError(error).message, error: true } }));
      // Put the switch back where the server has it.
      this.settings.reload();
    } finally {
      this.saving.set(null);
    }
  }
}
