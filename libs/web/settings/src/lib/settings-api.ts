import { inject, Injectable } from '@angular/core';
import type { AuditRetentionView, SaltConnectionTestResult, SaltSettingsView, SettingsView, WidgetSettings } from '@sylvite/contracts';
import { ApiClient } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

export interface SaltSettingsPatch {
  url?: string | null;
  username?: string | null;
  /** Omitted keeps the saved password; null clears it. */
  password?: string | null;
  eauth?: string;
}

@Injectable({ providedIn: 'root' })
export class SettingsApi {
  private readonly api = inject(ApiClient);

  get(): Observable<SettingsView> {
    return this.api.get<SettingsView>('/admin/settings');
  }

  saveSalt(patch: SaltSettingsPatch): Observable<SaltSettingsView> {
    return this.api.patch<SaltSettingsView>('/admin/settings/salt', patch);
  }

  testSalt(patch: SaltSettingsPatch): Observable<SaltConnectionTestResult> {
    return this.api.post<SaltConnectionTestResult>('/admin/settings/salt/test', patch);
  }

  saveStream(enabled: boolean): Observable<SettingsView['stream']> {
    return this.api.patch<SettingsView['stream']>('/admin/settings/stream', { enabled });
  }

  saveRetention(days: number): Observable<SettingsView['retention']> {
    return this.api.patch<SettingsView['retention']>('/admin/settings/retention', { days });
  }

  saveAudit(auditReads: boolean): Observable<SettingsView['audit']> {
    return this.api.patch<SettingsView['audit']>('/admin/settings/audit', { audit_reads: auditReads });
  }

  saveWidget(widget: Partial<WidgetSettings>): Observable<WidgetSettings> {
    return this.api.patch<WidgetSettings>('/admin/settings/widget', widget);
  }

  auditRetention(): Observable<AuditRetentionView> {
    return this.api.get<AuditRetentionView>('/admin/settings/audit-retention');
  }

  saveAuditRetention(days: number): Observable<AuditRetentionView> {
    return this.api.put<AuditRetentionView>('/admin/settings/audit-retention', { days });
  }
}
