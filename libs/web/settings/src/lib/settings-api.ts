import { inject, Injectable } from '@angular/core';
import { ApiClient } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

/* TODO(contracts): mirrors libs/api/settings (SettingsView, SaltConnectionTestResult) until they move to @sylvite/contracts. */
export interface SaltSettingsView {
  url: string | null;
  username: string | null;
  eauth: string;
  password_set: boolean;
  configured: boolean;
  from_environment: string[];
}

export interface WidgetSettings {
  widget_hide_dispatch: boolean;
  widget_hide_routine: boolean;
  widget_show_jobs: boolean;
  widget_show_keys: boolean;
  widget_show_minions: boolean;
  widget_event_count: number;
  widget_heartbeat_minutes: number;
}

export interface SettingsView {
  salt: SaltSettingsView;
  stream: { enabled: boolean; from_environment: boolean };
  retention: { days: number };
  audit: { audit_reads: boolean };
  widget: WidgetSettings;
}

export interface SaltSettingsPatch {
  url?: string | null;
  username?: string | null;
  /** Omitted keeps the saved password; null clears it. */
  password?: string | null;
  eauth?: string;
}

export interface SaltConnectionTestResult {
  ok: boolean;
  url: string | null;
  eauth: string;
  user: string | null;
  error: string | null;
  status: number | null;
  salt_version: string | null;
  server: string | null;
  clients: string[];
  missing_clients: string[];
  minion_count: number | null;
  minion_count_source: 'keys' | 'minions' | null;
  pending_keys: number | null;
  perms: unknown;
  token_lifetime_s: number | null;
  latency_ms: number;
}

export interface AuditRetentionView {
  days: number;
  default: number;
  minimum: number;
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
