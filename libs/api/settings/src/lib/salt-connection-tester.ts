import type { EffectiveSaltConnection } from './app-settings.service';

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

/** Implemented by the salt-stream module (it owns the salt-api client); injected by token to avoid a library cycle. */
export interface SaltConnectionTester {
  test(connection: EffectiveSaltConnection): Promise<SaltConnectionTestResult>;
}

export const SALT_CONNECTION_TESTER = Symbol('SALT_CONNECTION_TESTER');
