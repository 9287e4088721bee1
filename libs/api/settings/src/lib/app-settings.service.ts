import { Inject, Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { SaltSettingsView, SettingsView, WidgetSettings } from '@sylvite/contracts';
import { APP_CONFIG, type AppConfig } from '@sylvite/api-core';
import { SecretBox } from './secret-box';
import type { AuditSettingsDto, RetentionSettingsDto, SaltSettingsDto, StreamSettingsDto, WidgetSettingsDto } from './settings.dto';
import { SettingsStore } from './settings.store';

export type SettingsSection = 'salt' | 'stream' | 'retention' | 'audit' | 'widget';

/** The salt-api connection in effect (saved settings over environment defaults); password in clear. */
export interface EffectiveSaltConnection {
  url: string | null;
  username: string | null;
  password: string | null;
  eauth: string;
}

export const WIDGET_DEFAULTS: Readonly<WidgetSettings> = {
  widget_hide_dispatch: true,
  widget_hide_routine: false,
  widget_show_jobs: true,
  widget_show_keys: true,
  widget_show_minions: true,
  widget_event_count: 6,
  widget_heartbeat_minutes: 60,
};

export const RETENTION_DAYS_DEFAULT = 30;

/** The settings table keys (SettingsStore). `audit_reads` is read by the audit interceptor as a boolean. */
export const SETTINGS_KEYS = { salt: 'salt', stream: 'stream', retention: 'retention', audit: 'audit_reads', widget: 'widget' } as const;

/** What is stored under `salt`: a field present (even null) overrides the environment. */
interface StoredSalt {
  url?: string | null;
  username?: string | null;
  eauth?: string;
  /** SecretBox-sealed; null: explicitly no password. */
  password_enc?: string | null;
}

function has<T extends object>(o: T, k: keyof T): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/**
 * Typed, validated settings on top of SettingsStore: the Salt connection (password sealed at
 * rest), event stream on/off, retention, audit reads and the Activity widget. Environment
 * variables seed the defaults; saved values win. `changes` tells this replica's listeners at
 * once (the stream reconnects); other replicas see the change within their SettingsStore cache second.
 */
@Injectable()
export class AppSettings {
  readonly changes = new Subject<SettingsSection>();
  private readonly box: SecretBox;

  constructor(private readonly store: SettingsStore, @Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.box = new SecretBox(config.auth.secret, config.auth.previousSecrets);
  }

  async saltConnection(): Promise<EffectiveSaltConnection> {
    const s = await this.store.get<StoredSalt>(SETTINGS_KEYS.salt, {});
    const env = this.config.salt;
    let password = env.password;
    if (has(s, 'password_enc')) password = s.password_enc ? this.box.open(s.password_enc) : null;
    return {
      url: has(s, 'url') ? (s.url ?? null) : env.url,
      username: has(s, 'username') ? (s.username ?? null) : env.username,
      password,
      eauth: s.eauth ?? env.eauth,
    };
  }

  async streamEnabled(): Promise<boolean> {
    const s = await this.store.get<{ enabled?: boolean }>(SETTINGS_KEYS.stream, {});
    return typeof s.enabled === 'boolean' ? s.enabled : (this.config.salt.streamEnabled ?? false);
  }

  async retentionDays(): Promise<number> {
    const s = await this.store.get<{ days?: number }>(SETTINGS_KEYS.retention, {});
    return typeof s.days === 'number' && s.days >= 1 && s.days <= 365 ? s.days : RETENTION_DAYS_DEFAULT;
  }

  async auditReads(): Promise<boolean> {
    return (await this.store.get<boolean>(SETTINGS_KEYS.audit, false)) === true;
  }

  async widget(): Promise<WidgetSettings> {
    const s = await this.store.get<Partial<WidgetSettings>>(SETTINGS_KEYS.widget, {});
    return { ...WIDGET_DEFAULTS, ...s };
  }

  async view(): Promise<SettingsView> {
    const [salt, stream, retention, audit, widget] = await Promise.all([
      this.saltView(), this.store.get<{ enabled?: boolean }>(SETTINGS_KEYS.stream, {}), this.retentionDays(), this.auditReads(), this.widget(),
    ]);
    const enabledSaved = typeof stream.enabled === 'boolean';
    return {
      salt,
      stream: { enabled: enabledSaved ? (stream.enabled as boolean) : (this.config.salt.streamEnabled ?? false), from_environment: !enabledSaved },
      retention: { days: retention },
      audit: { audit_reads: audit },
      widget,
    };
  }

  async saltView(): Promise<SaltSettingsView> {
    const s = await this.store.get<StoredSalt>(SETTINGS_KEYS.salt, {});
    const eff = await this.saltConnection();
    const fromEnv: string[] = [];
    if (!has(s, 'url') && eff.url) fromEnv.push('url');
    if (!has(s, 'username') && eff.username) fromEnv.push('username');
    if (!has(s, 'password_enc') && eff.password) fromEnv.push('password');
    if (!has(s, 'eauth')) fromEnv.push('eauth');
    return { url: eff.url, username: eff.username, eauth: eff.eauth, password_set: !!eff.password, configured: !!eff.url && !!eff.username, from_environment: fromEnv };
  }

  /** PUT replaces the section (fields left out return to their defaults; a salt password is kept unless given); PATCH merges. */
  async updateSalt(input: SaltSettingsDto, mode: 'put' | 'patch', userId: string | null): Promise<SaltSettingsView> {
    const old = await this.store.get<StoredSalt>(SETTINGS_KEYS.salt, {});
    const next: StoredSalt = mode === 'patch' ? { ...old } : {};
    if (input.url !== undefined) next.url = input.url === null || input.url === '' ? null : input.url.replace(/\/+$/, '');
    if (input.username !== undefined) next.username = input.username === null || input.username === '' ? null : input.username;
    if (input.eauth !== undefined) next.eauth = input.eauth;
    if (input.password !== undefined) next.password_enc = input.password === null || input.password === '' ? null : this.box.seal(input.password);
    else if (has(old, 'password_enc')) next.password_enc = old.password_enc;
    await this.save('salt', next, userId);
    return this.saltView();
  }

  async updateStream(input: StreamSettingsDto, mode: 'put' | 'patch', userId: string | null): Promise<SettingsView['stream']> {
    const old = await this.store.get<{ enabled?: boolean }>(SETTINGS_KEYS.stream, {});
    const next = mode === 'patch' ? { ...old } : {};
    if (input.enabled !== undefined) next.enabled = input.enabled;
    await this.save('stream', next, userId);
    return (await this.view()).stream;
  }

  async updateRetention(input: RetentionSettingsDto, mode: 'put' | 'patch', userId: string | null): Promise<SettingsView['retention']> {
    const old = await this.store.get<{ days?: number }>(SETTINGS_KEYS.retention, {});
    const next = mode === 'patch' ? { ...old } : {};
    if (input.days !== undefined) next.days = input.days;
    await this.save('retention', next, userId);
    return { days: await this.retentionDays() };
  }

  async updateAudit(input: AuditSettingsDto, mode: 'put' | 'patch', userId: string | null): Promise<SettingsView['audit']> {
    const old = await this.auditReads();
    const value = input.audit_reads ?? (mode === 'patch' ? old : false);
    await this.save('audit', value, userId);
    return { audit_reads: value };
  }

  async updateWidget(input: WidgetSettingsDto, mode: 'put' | 'patch', userId: string | null): Promise<WidgetSettings> {
    const base = mode === 'patch' ? await this.widget() : { ...WIDGET_DEFAULTS };
    const next: WidgetSettings = { ...base };
    for (const k of Object.keys(WIDGET_DEFAULTS) as (keyof WidgetSettings)[]) {
      const v = input[k];
      if (v !== undefined && v !== null) (next as unknown as Record<string, unknown>)[k] = v;
    }
    await this.save('widget', next, userId);
    return next;
  }

  private async save(section: SettingsSection, value: unknown, userId: string | null): Promise<void> {
    await this.store.set(SETTINGS_KEYS[section], value, userId);
    this.changes.next(section);
  }
}
