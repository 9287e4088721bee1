import { IncomingMessage, ServerResponse } from 'node:http';
import { EauthError, HttpError, InternalError, SaltInvocationError } from '../master/errors';
import { CLIENTS, Master } from '../master/master';
import { PERMS } from '../master/auth';
import { parseBody, toLowstate } from './body';
import { negotiateEncoding, negotiateType, parseCookies, ReplyContext, sendData, sendError, sendUnexpected, sessionCookie } from './cherry';
import { EventStreamHub } from './event-stream';

interface Route {
  /** Methods the resource class defines (HEAD comes with GET). */
  methods: string[];
  sessions: boolean;
  handle: (r: Request) => Promise<void>;
}

export interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  /** Path segments after the resource (`/jobs/<jid>` → [jid]). */
  vpath: string[];
  query: URLSearchParams;
  reply: ReplyContext;
  sessionId: string;
}

const HEX = /^[0-9a-fA-F]+$/;

/** The rest_cherrypy resources, mapped onto the simulated master. */
export class SaltApi {
  private readonly routes: Record<string, Route>;

  constructor(
    private readonly master: Master,
    private readonly streams: EventStreamHub,
  ) {
    const r = (methods: string[], sessions: boolean, handle: (r: Request) => Promise<void>): Route => ({ methods, sessions, handle });
    this.routes = {
      '': r(['GET', 'POST'], true, (q) => (q.req.method === 'POST' ? this.postLowstate(q) : this.welcome(q))),
      login: r(['GET', 'POST'], true, (q) => (q.req.method === 'POST' ? this.login(q) : this.loginForm(q))),
      logout: r(['POST'], true, (q) => this.logout(q)),
      token: r(['POST'], false, (q) => this.token(q)),
      run: r(['POST'], false, (q) => this.run(q)),
      minions: r(['GET', 'POST'], true, (q) => (q.req.method === 'POST' ? this.postMinions(q) : this.getMinions(q))),
      jobs: r(['GET'], true, (q) => this.jobs(q)),
      keys: r(['GET'], true, (q) => this.keys(q)),
      events: r(['GET'], true, (q) => this.events(q)),
      hook: r(['POST'], true, (q) => this.hook(q)),
      stats: r(['GET'], true, (q) => this.stats(q)),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const name = segments[0] ?? '';
    const route = this.routes[name];
    const cookies = parseCookies(req.headers['cookie']);
    // salt_token_tool: the X-Auth-Token header "trumps" the session cookie.
    const xAuth = req.headers['x-auth-token'];
    const sessionId = (typeof xAuth === 'string' && xAuth) || cookies['session_id'] || '';
    const allow = route ? allowHeader(route.methods) : 'GET, HEAD';
    const reply: ReplyContext = { req, res, allow, encoding: 'identity' };
    const encoding = negotiateEncoding(req);
    if (encoding === 'none') return sendError(reply, 406, 'identity, gzip');
    reply.encoding = encoding;
    if (req.method === 'OPTIONS') return this.preflight(reply);
    if (!route || (name === '' && segments.length > 1) || (['login', 'logout', 'token', 'run', 'events', 'stats'].includes(name) && segments.length > 1)) {
      return sendError(reply, 404, `The path '${url.pathname}' was not found.`);
    }
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    if (!route.methods.includes(method)) return sendError(reply, 405);
    if (route.sessions) {
      // CherryPy hands out a fresh id when the one presented is unknown.
      const live = this.master.ctx.auth.getSession(sessionId);
      const id = live ? sessionId : this.master.ctx.auth.newSessionId();
      reply.cookie = sessionCookie(id, Date.now() + (live ? live.timeoutMs : 600 * 60_000));
    }
    const request: Request = { req, res, path: url.pathname, vpath: segments.slice(1), query: url.searchParams, reply, sessionId };
    try {
      await route.handle(request);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) return sendError(reply, e.status, e.message || undefined);
      if (e instanceof SaltInvocationError) return sendError(reply, 400);
      if (e instanceof EauthError) return sendError(reply, 401);
      if (!(e instanceof InternalError)) this.master.ctx.logger.error(`unexpected error on ${req.method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`);
      return sendUnexpected(reply);
    }
  }

  private preflight(reply: ReplyContext): void {
    const method = reply.req.headers['access-control-request-method'];
    const extra: Array<[string, string]> = [];
    if (method === 'GET' || method === 'POST') {
      extra.push(['Access-Control-Allow-Methods', 'GET, POST'], ['Access-Control-Allow-Headers', 'Content-Type, X-Auth-Token, X-Requested-With'], ['Connection', 'keep-alive'], ['Access-Control-Max-Age', '1400']);
    }
    reply.extraHeaders = extra;
    reply.res.writeHead(200, 'OK', [
      'Access-Control-Allow-Origin', String(reply.req.headers['origin'] ?? '*'),
      'Access-Control-Expose-Headers', 'GET, POST',
      'Access-Control-Allow-Credentials', 'true',
      ...extra.flat(),
      'Content-Length', '0',
      'Server', 'CherryPy/18.9.0',
    ]);
    reply.res.end();
  }

  /** `salt_auth_tool`: the session must hold an eauth token; marks the response private. */
  private requireSession(q: Request): string {
    const s = this.master.ctx.auth.getSession(q.sessionId);
    if (!s || !s.token) throw new HttpError(401);
    q.reply.extraHeaders = [...(q.reply.extraHeaders ?? []), ['Cache-Control', 'private']];
    return s.token;
  }

  /** `hypermedia_out`: after the handler, the Accept header decides (406 if nothing fits). */
  private respond(q: Request, status: number, data: unknown): void {
    const type = negotiateType(q.req);
    if (!type) {
      throw new HttpError(
        406,
        `Your client sent this Accept header: ${String(q.req.headers['accept'])}. But this resource only emits these media types: application/json, application/x-yaml.`,
      );
    }
    sendData(q.reply, status, data, type);
  }

  private async lowstate(q: Request): Promise<unknown> {
    const body = await parseBody(q.req);
    return toLowstate(body.data);
  }

  /** `LowDataAdapter.exec_lowstate`. */
  private async execLowstate(lowstate: unknown, token: string | null, client?: string): Promise<unknown[]> {
    if (!Array.isArray(lowstate)) throw new HttpError(400, 'Lowstates must be a list');
    const out: unknown[] = [];
    for (const chunk of lowstate) {
      if (!chunk || typeof chunk !== 'object' || Array.isArray(chunk)) throw new InternalError('chunk is not a mapping');
      const c = chunk as Record<string, unknown>;
      if (token) c['token'] = token;
      if ('token' in c && (typeof c['token'] !== 'string' || !HEX.test(c['token']))) throw new HttpError(401, 'Invalid token');
      if (client) c['client'] = client;
      if ('arg' in c && !Array.isArray(c['arg'])) c['arg'] = [c['arg']];
      out.push(await this.master.run(c));
    }
    return out;
  }

  private async welcome(q: Request): Promise<void> {
    // `GET /` runs with sessions off: no cookie.
    q.reply.cookie = undefined;
    this.respond(q, 200, { return: 'Welcome', clients: CLIENTS });
  }

  private async postLowstate(q: Request): Promise<void> {
    const token = this.requireSession(q);
    const low = await this.lowstate(q);
    this.respond(q, 200, { return: await this.execLowstate(low, token) });
  }

  private async loginForm(q: Request): Promise<void> {
    q.reply.extraHeaders = [['WWW-Authenticate', 'Session']];
    this.respond(q, 200, { status: '200 OK', return: 'Please log in' });
  }

  private async login(q: Request): Promise<void> {
    const { auth } = this.master.ctx;
    const low = await this.lowstate(q);
    const creds = Array.isArray(low) ? low[0] : low;
    // `creds.get(...)` on None or a non-mapping raises: salt-api's generic 500.
    if (!creds || typeof creds !== 'object' || Array.isArray(creds)) throw new InternalError('no credentials');
    const c = creds as Record<string, unknown>;
    if (!auth.authenticate(c['username'], c['password'], c['eauth'])) throw new HttpError(401, 'Could not authenticate using provided credentials');
    const token = auth.mkToken(String(c['username']), String(c['eauth']));
    const id = auth.getSession(q.sessionId) ? q.sessionId : auth.newSessionId();
    const session = auth.saveSession(id, token);
    q.reply.cookie = sessionCookie(id, session.expiresAt);
    q.reply.extraHeaders = [['X-Auth-Token', id]];
    this.respond(q, 200, {
      return: [{ token: id, expire: token.expire, start: token.start, user: token.name, eauth: token.eauth, perms: PERMS.length ? PERMS : {} }],
    });
  }

  private async logout(q: Request): Promise<void> {
    this.requireSession(q);
    const { auth } = this.master.ctx;
    auth.deleteSession(q.sessionId);
    // `sessions.expire()` + `regenerate()`: a new id whose cookie is already expired.
    q.reply.cookie = sessionCookie(auth.newSessionId(), Date.now() - 365 * 86_400_000);
    this.respond(q, 200, { return: 'Your token has been cleared' });
  }

  private async token(q: Request): Promise<void> {
    const low = await this.lowstate(q);
    if (!Array.isArray(low)) throw new HttpError(400, 'Lowstates must be a list');
    for (const creds of low) {
      const c = creds as Record<string, unknown>;
      if (!c || typeof c !== 'object' || !('username' in c) || !('password' in c) || !('eauth' in c)) {
        throw new HttpError(400, 'Require "username", "password", and "eauth" params');
      }
      Object.assign(c, { client: 'runner', fun: 'auth.mk_token', kwarg: { username: c['username'], password: c['password'], eauth: c['eauth'] } });
    }
    this.respond(q, 200, await this.execLowstate(low, null));
  }

  private async run(q: Request): Promise<void> {
    const low = await this.lowstate(q);
    this.respond(q, 200, { return: await this.execLowstate(low, null) });
  }

  private async getMinions(q: Request): Promise<void> {
    const token = this.requireSession(q);
    const mid = q.vpath[0];
    const ret = await this.execLowstate([{ client: 'local', tgt: mid || '*', fun: 'grains.items' }], token);
    this.respond(q, 200, { return: ret });
  }

  private async postMinions(q: Request): Promise<void> {
    const token = this.requireSession(q);
    const low = await this.lowstate(q);
    const jobs = (await this.execLowstate(low, token, 'local_async')) as Array<Record<string, unknown>>;
    this.respond(q, 202, {
      return: jobs,
      _links: { jobs: jobs.filter((j) => j && Object.keys(j).length).map((j) => ({ href: `/jobs/${String(j['jid'])}` })) },
    });
  }

  private async jobs(q: Request): Promise<void> {
    const token = this.requireSession(q);
    const jid = q.vpath[0];
    const chunk: Record<string, unknown> = jid ? { client: 'runner', fun: 'jobs.list_job', jid } : { client: 'runner', fun: 'jobs.list_jobs' };
    const [info] = (await this.execLowstate([chunk], token)) as Array<Record<string, unknown>>;
    if (!jid) return this.respond(q, 200, { return: [info] });
    const result = (info['Result'] ?? {}) as Record<string, { return?: unknown }>;
    const returns: Record<string, unknown> = {};
    for (const [minion, r] of Object.entries(result)) returns[minion] = r.return;
    this.respond(q, 200, { info: [info], return: [returns] });
  }

  private async keys(q: Request): Promise<void> {
    const s = this.master.ctx.auth.getSession(q.sessionId);
    const mid = q.vpath[0];
    const chunk: Record<string, unknown> = mid ? { client: 'wheel', fun: 'key.finger', match: mid } : { client: 'wheel', fun: 'key.list_all' };
    const [first] = (await this.execLowstate([chunk], s?.token ?? null)) as Array<{ data?: { return?: unknown } }>;
    this.respond(q, 200, { return: first?.data?.return ?? {} });
  }

  private async hook(q: Request): Promise<void> {
    this.requireSession(q);
    const body = await parseBody(q.req);
    const headers: Record<string, string> = {};
    const raw = q.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers[titleCase(raw[i])] = raw[i + 1];
    headers['Remote-Addr'] = q.req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const tag = ['salt', 'netapi', 'hook', ...q.vpath].join('/');
    this.master.bus.fire(tag, { body: body.raw, post: body.data || {}, headers });
    this.respond(q, 200, { success: true });
  }

  private async stats(q: Request): Promise<void> {
    this.requireSession(q);
    const c = this.streams.counters;
    this.respond(q, 200, {
      'CherryPy Applications': { Enabled: true, 'Current Time': Date.now() / 1000, 'Current Requests': c.open, 'Total Requests': c.opened },
    });
  }

  /** `Events.GET`: `?token`, then `?salt_token`, then the session cookie (which X-Auth-Token fills). */
  private async events(q: Request): Promise<void> {
    const authToken = q.query.get('token') || q.query.get('salt_token') || q.sessionId;
    if (!this.master.ctx.auth.isValidStreamToken(authToken)) {
      q.reply.cookie = undefined;
      throw new HttpError(401);
    }
    this.streams.open(q.req, q.res, authToken);
  }
}

function allowHeader(methods: string[]): string {
  const all = new Set(methods);
  if (all.has('GET')) all.add('HEAD');
  return [...all].sort().join(', ');
}

/** CherryPy title-cases header names (`content-type` → `Content-Type`). */
function titleCase(name: string): string {
  return name
    .split('-')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-');
}
