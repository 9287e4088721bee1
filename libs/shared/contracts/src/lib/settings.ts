/** The admin settings on the wire (GET/PUT/PATCH /api/admin/settings/…); nothing secret is ever returned. */

export interface SaltSettingsView {
  url: string | null;
  username: string | null;
  eauth: string;
  /** The password itself is never returned. */
  password_set: boolean;
  /** URL and username are set. */
  configured: boolean;
  /** Fields whose value comes from the environment (SALT_API_*) because none was saved. */
  from_environment: string[];
}

/** The Activity widget's section; GET /api/activity/widget-config returns the same shape. */
export interface WidgetSettings {
  widget_hide_dispatch: boolean;
  widget_hide_routine: boolean;
  widget_show_jobs: boolean;
  widget_show_keys: boolean;
  widget_show_minions: boolean;
  /** 1–50. */
  widget_event_count: number;
  /** 5–1440: after this long without an event the heartbeat says the stream is quiet. */
  widget_heartbeat_minutes: number;
}

export interface SettingsView {
  salt: SaltSettingsView;
  stream: { enabled: boolean; from_environment: boolean };
  retention: { days: number };
  audit: { audit_reads: boolean };
  widget: WidgetSettings;
}

/** What `POST /api/admin/settings/salt/test` reports; nothing is saved. */
export interface SaltConnectionTestResult {
  ok: boolean;
  url: string | null;
  eauth: string;
  /** The eauth identity salt-api logged in (`return[0].user`). */
  user: string | null;
  /** Why it failed: unreachable, refused credentials, … */
  error: string | null;
  /** salt-api's HTTP status when it answered with an error. */
  status: number | null;
  /** A Salt version when salt-api (or a proxy in front of it) says one; rest_cherrypy itself does not. */
  salt_version: string | null;
  /** The `Server` header, e.g. `CherryPy/18.8.0`. */
  server: string | null;
  /** netapi clients enabled (`GET /`); `runner`, `wheel`, `local`, `local_async` are needed. */
  clients: string[];
  /** Clients Sylvite uses that are not enabled (`netapi_enable_clients`). */
  missing_clients: string[];
  /** Accepted minions (`GET /keys`, else `GET /minions`). */
  minion_count: number | null;
  minion_count_source: 'keys' | 'minions' | null;
  /** Keys waiting for acceptance, when `GET /keys` answered. */
  pending_keys: number | null;
  /** The eauth permissions of the login. */
  perms: unknown;
  /** Lifetime of the token salt-api issued, seconds. */
  token_lifetime_s: number | null;
  latency_ms: number;
}

/** GET/PUT /api/admin/settings/audit-retention, in days (0 keeps forever). */
export interface AuditRetentionView {
  days: number;
  default: number;
  minimum: number;
}
