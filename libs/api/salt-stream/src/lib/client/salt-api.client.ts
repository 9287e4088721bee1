import { Logger } from '@nestjs/common';
import * as http from 'node:http';
import * as https from 'node:https';
import { errorText, SaltApiError, SaltNotConfiguredError } from './errors';
import { httpRequest, type HttpResponse } from './http';
import type {
  SaltAsyncJob, SaltConnection, SaltJobDetail, SaltJobInfo, SaltJobsIndex, SaltKeys, SaltLogin, SaltLowstate, SaltRootInfo,
} from './types';

export interface SaltApiClientOptions {
  /** Per-request timeout for ordinary calls, ms. */
  timeoutMs?: number;
  /**
   * Log in again this long before the token expires (PROTOCOL.md §2.6 suggests ~5 minutes). Short
   * tokens are refreshed after 80% of their lifetime instead.
   */
  refreshMarginMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

type Query = Record<string, string | number | undefined>;

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * A typed salt-api (rest_cherrypy) client: logs in, keeps the session token fresh (a new login a
 * few minutes before it expires, and once more on a 401), and maps failures to SaltUnavailableError
 * (503) and SaltApiError (502). One instance per deployment follows the saved connection settings
 * (`configure`); a throw-away instance tests settings that are not saved.
 */
export class SaltApiClient {
  private readonly logger = new Logger('SaltApiClient');
  private conn: SaltConnection;
  private session: SaltLogin | null = null;
  /** Local time (ms) the session expires, measured on our clock (salt's `expire` is on the master's). */
  private sessionExpiresAt = 0;
  private sessionRefreshAt = 0;
  private loggingIn: Promise<SaltLogin> | null = null;
  private generation = 0;
  private agent: http.Agent;
  readonly timeoutMs: number;
  readonly refreshMarginMs: number;
  private readonly now: () => number;

  constructor(connection: SaltConnection, options: SaltApiClientOptions = {}) {
    this.conn = { ...connection };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.agent = this.makeAgent();
  }

  /** The connection in use (the password included: never return this to a client). */
  get connection(): Readonly<SaltConnection> {
    return this.conn;
  }

  get configured(): boolean {
    return !!this.conn.url && !!this.conn.username;
  }

  /** The current login, if any. */
  get login(): Readonly<SaltLogin> | null {
    return this.session;
  }

  /** When (local epoch ms) the current token expires; 0 without a session. */
  get expiresAt(): number {
    return this.session ? this.sessionExpiresAt : 0;
  }

  /** When (local epoch ms) the current token should be replaced; 0 without a session. */
  get refreshAt(): number {
    return this.session ? this.sessionRefreshAt : 0;
  }

  /** Bumped whenever the connection settings change: a stream opened under an older one reconnects. */
  get connectionGeneration(): number {
    return this.generation;
  }

  /** New connection settings: the token is dropped and the next call logs in with them. */
  configure(connection: SaltConnection): void {
    const same =
      connection.url === this.conn.url &&
      connection.username === this.conn.username &&
      connection.password === this.conn.password &&
      connection.eauth === this.conn.eauth;
    if (same) return;
    this.conn = { ...connection };
    this.session = null;
    this.loggingIn = null;
    this.generation++;
    this.agent.destroy();
    this.agent = this.makeAgent();
  }

  /** `base + path` with the base URL's own path kept (salt-api behind `/salt/` on a proxy). */
  urlFor(path: string, query?: Query): URL {
    if (!this.conn.url) throw new SaltNotConfiguredError('no salt-api URL');
    const base = new URL(this.conn.url);
    const prefix = base.pathname.replace(/\/+$/, '');
    const u = new URL(base.origin);
    u.pathname = `${prefix}${path}`;
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** A valid token: the current one, or a new login when there is none or it is about to expire. */
  async token(): Promise<string> {
    if (this.session && this.now() < this.sessionRefreshAt) return this.session.token;
    return (await this.relogin()).token;
  }

  /** Logs in now (single flight: concurrent callers share one `POST /login`). */
  relogin(): Promise<SaltLogin> {
    if (!this.loggingIn) {
      const gen = this.generation;
      this.loggingIn = this.doLogin().then(
        (login) => {
          if (gen === this.generation) this.loggingIn = null;
          return login;
        },
        (err) => {
          if (gen === this.generation) this.loggingIn = null;
          throw err;
        },
      );
    }
    return this.loggingIn;
  }

  /** Forgets the token (the stream saw a 401 with it). */
  invalidate(token?: string): void {
    if (!token || this.session?.token === token) this.session = null;
  }

  private async doLogin(): Promise<SaltLogin> {
    const { username, password, eauth } = this.conn;
    if (!username) throw new SaltNotConfiguredError('no salt-api username');
    const gen = this.generation;
    const started = this.now();
    const res = await this.send('POST', '/login', { username, password: password ?? '', eauth });
    if (res.status < 200 || res.status >= 300) throw new SaltApiError(res.status, errorText(res.body), '/login');
    const body = this.json(res, '/login');
    const first = isDict(body) && Array.isArray(body['return']) ? body['return'][0] : isDict(body) ? body['return'] : undefined;
    if (!isDict(first) || typeof first['token'] !== 'string') throw new SaltApiError(res.status, 'login answer has no token', '/login');
    const start = typeof first['start'] === 'number' ? first['start'] : started / 1000;
    const expire = typeof first['expire'] === 'number' ? first['expire'] : start + 43_200;
    const login: SaltLogin = {
      token: first['token'],
      start,
      expire,
      user: typeof first['user'] === 'string' ? first['user'] : username,
      eauth: typeof first['eauth'] === 'string' ? first['eauth'] : eauth,
      perms: first['perms'] ?? [],
    };
    if (gen !== this.generation) return login;
    // The master's clock may differ from ours: only the lifetime is trusted.
    const lifetimeMs = Math.max(0, (expire - start) * 1000);
    const margin = Math.min(this.refreshMarginMs, lifetimeMs * 0.2);
    this.session = login;
    this.sessionExpiresAt = started + lifetimeMs;
    this.sessionRefreshAt = started + lifetimeMs - margin;
    this.logger.debug(`logged in to ${this.conn.url} as ${login.user} (token for ${Math.round(lifetimeMs / 1000)} s)`);
    return login;
  }

  /** An authenticated JSON call; on 401 logs in once more and retries once. */
  async call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, opts: { query?: Query; timeoutMs?: number } = {}): Promise<T> {
    let token = await this.token();
    let res = await this.send(method, path, body, token, opts);
    if (res.status === 401) {
      this.invalidate(token);
      token = (await this.relogin()).token;
      res = await this.send(method, path, body, token, opts);
    }
    if (res.status < 200 || res.status >= 300) throw new SaltApiError(res.status, errorText(res.body), path);
    return this.json(res, path) as T;
  }

  /** `GET /` (no auth): the enabled clients, and what the server says about itself. */
  async root(): Promise<SaltRootInfo> {
    const res = await this.send('GET', '/');
    if (res.status < 200 || res.status >= 300) throw new SaltApiError(res.status, errorText(res.body), '/');
    const body = this.json(res, '/');
    const server = typeof res.headers['server'] === 'string' ? res.headers['server'] : null;
    const header = res.headers['x-salt-version'];
    const fromBody = isDict(body) && typeof body['salt_version'] === 'string' ? body['salt_version'] : null;
    return {
      clients: isDict(body) ? stringList(body['clients']) : [],
      server,
      saltVersion: typeof header === 'string' ? header : fromBody,
    };
  }

  /** `GET /jobs`: the jobs still in the master's job cache (`keep_jobs_seconds`, default 24 h). */
  async listJobs(): Promise<SaltJobsIndex> {
    const body = await this.call<{ return?: unknown }>('GET', '/jobs');
    const first = Array.isArray(body?.return) ? body.return[0] : undefined;
    return isDict(first) ? (first as SaltJobsIndex) : {};
  }

  /** `GET /jobs/<jid>`: the job's load, expected minions and every return (PROTOCOL.md §6). */
  async job(jid: string): Promise<SaltJobDetail> {
    const body = await this.call<Record<string, unknown>>('GET', `/jobs/${encodeURIComponent(jid)}`);
    const info = isDict(body) && Array.isArray(body['info']) && isDict(body['info'][0]) ? (body['info'][0] as SaltJobInfo) : null;
    const ret = isDict(body) && Array.isArray(body['return']) && isDict(body['return'][0]) ? (body['return'][0] as Record<string, unknown>) : {};
    return { raw: body, info, returns: ret };
  }

  /** `GET /keys`: every key by state. */
  async keys(): Promise<SaltKeys> {
    const body = await this.call<{ return?: unknown }>('GET', '/keys');
    const r = isDict(body?.return) ? body.return : Array.isArray(body?.return) && isDict(body.return[0]) ? body.return[0] : {};
    return {
      local: stringList(r['local']),
      minions: stringList(r['minions']),
      minions_pre: stringList(r['minions_pre']),
      minions_rejected: stringList(r['minions_rejected']),
      minions_denied: stringList(r['minions_denied']),
    };
  }

  /** `GET /minions[/<id>]`: grains by minion id (runs `grains.items`; needs the `local` client). */
  async minions(id?: string): Promise<Record<string, unknown>> {
    const body = await this.call<{ return?: unknown }>('GET', id ? `/minions/${encodeURIComponent(id)}` : '/minions', undefined, { timeoutMs: 120_000 });
    const first = Array.isArray(body?.return) ? body.return[0] : undefined;
    return isDict(first) ? first : {};
  }

  /** `POST /` with one or more lowstate chunks; `return` has one element per chunk. */
  async run<T = unknown>(lowstate: SaltLowstate | SaltLowstate[], opts: { timeoutMs?: number } = {}): Promise<T[]> {
    const chunks = Array.isArray(lowstate) ? lowstate : [lowstate];
    const body = await this.call<{ return?: unknown }>('POST', '/', chunks, { timeoutMs: opts.timeoutMs ?? 120_000 });
    return (Array.isArray(body?.return) ? body.return : []) as T[];
  }

  /** `local_async`: dispatches and returns the jid and the expected minions (`{}` when none matched). */
  async runAsync(lowstate: Pick<SaltLowstate, 'fun' | 'tgt' | 'tgt_type' | 'arg' | 'kwarg' | 'metadata'>): Promise<SaltAsyncJob> {
    const [first] = await this.run<SaltAsyncJob>({ ...lowstate, client: 'local_async' });
    return isDict(first) ? first : {};
  }

  /** `POST /hook/<path>`: fires `salt/netapi/hook/<path>` on the bus. */
  async hook(path: string, body: unknown): Promise<void> {
    await this.call('POST', `/hook/${path.replace(/^\/+/, '')}`, body, { timeoutMs: 10_000 });
  }

  /** Job info convenience for backfill: `info[0]` or null. */
  async jobInfo(jid: string): Promise<SaltJobInfo | null> {
    return (await this.job(jid)).info;
  }

  /** Ends keep-alive sockets (shutdown, tests). */
  close(): void {
    this.agent.destroy();
  }

  private makeAgent(): http.Agent {
    const secure = this.conn.url?.startsWith('https:');
    return secure ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  private send(method: 'GET' | 'POST', path: string, body?: unknown, token?: string, opts: { query?: Query; timeoutMs?: number } = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers['X-Auth-Token'] = token;
    let text: string | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      text = JSON.stringify(body);
    } else if (method === 'POST') {
      // A POST without a body is a 400 "Lowstates must be a list" (PROTOCOL.md §2.1).
      headers['Content-Type'] = 'application/json';
      text = '{}';
    }
    return httpRequest({ method, url: this.urlFor(path, opts.query), headers, body: text, timeoutMs: opts.timeoutMs ?? this.timeoutMs, agent: this.agent });
  }

  private json(res: HttpResponse, path: string): unknown {
    try {
      return JSON.parse(res.body);
    } catch {
      throw new SaltApiError(res.status, `not JSON: ${errorText(res.body, 120)}`, path);
    }
  }
}
