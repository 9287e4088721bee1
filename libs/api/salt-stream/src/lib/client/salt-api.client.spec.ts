import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SaltApiError, SaltNotConfiguredError, SaltUnavailableError } from './errors';
import { SaltApiClient } from './salt-api.client';

/** A fake salt-api: tokens by number, a switch to expire them, and canned answers. */
class FakeSaltApi {
  server: Server;
  url = '';
  logins = 0;
  valid = new Set<string>();
  lifetime = 43_200;
  calls: { method: string; path: string; token?: string; body: string }[] = [];

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const c of req) body += c;
    const token = req.headers['x-auth-token'] as string | undefined;
    this.calls.push({ method: req.method ?? '', path: req.url ?? '', token, body });
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (req.url === '/login') {
      const b = JSON.parse(body) as { username: string; password: string; eauth: string };
      if (b.password !== 'pw') {
        res.writeHead(401, { 'Content-Type': 'text/html' });
        res.end('<html><body><p>Could not authenticate using provided credentials</p></body></html>');
        return;
      }
      const t = `${++this.logins}`.padStart(40, 'a');
      this.valid.add(t);
      const start = Date.now() / 1000;
      json(200, { return: [{ token: t, start, expire: start + this.lifetime, user: b.username, eauth: b.eauth, perms: ['.*', '@runner'] }] });
      return;
    }
    if (!token || !this.valid.has(token)) {
      res.writeHead(401, { 'Content-Type': 'text/html' });
      res.end('<html><body><p>No permission -- see authorization schemes</p></body></html>');
      return;
    }
    if (req.url === '/jobs') return json(200, { return: [{ '20240514101500123456': { Function: 'test.ping', User: 'saltapi' } }] });
    if (req.url === '/keys') return json(200, { return: { local: [], minions: ['a', 'b'], minions_pre: ['c'], minions_rejected: [], minions_denied: [] } });
    if (req.url === '/jobs/boom') return json(500, { status: 500, return: 'An unexpected error occurred' });
    if (req.url === '/' && req.method === 'POST') return json(200, { return: [{ jid: '1', minions: ['a'] }] });
    json(404, {});
  }
}

describe('SaltApiClient', () => {
  let api: FakeSaltApi;

  beforeEach(async () => {
    api = new FakeSaltApi();
    await api.listen();
  });

  afterEach(async () => {
    await api.close();
  });

  const client = (password = 'pw') => new SaltApiClient({ url: api.url, username: 'saltapi', password, eauth: 'pam' });

  it('should log in once and send the token as X-Auth-Token when calls follow each other', async () => {
    const c = client();
    await expect(c.listJobs()).resolves.toEqual({ '20240514101500123456': { Function: 'test.ping', User: 'saltapi' } });
    await expect(c.keys()).resolves.toMatchObject({ minions: ['a', 'b'], minions_pre: ['c'] });
    expect(api.logins).toBe(1);
    expect(api.calls.filter((x) => x.path !== '/login').every((x) => x.token === c.login?.token)).toBe(true);
    expect(JSON.parse(api.calls[0].body)).toEqual({ username: 'saltapi', password: 'pw', eauth: 'pam' });
    c.close();
  });

  it('should log in again and retry once when salt-api answers 401', async () => {
    const c = client();
    await c.listJobs();
    api.valid.clear();
    await expect(c.listJobs()).resolves.toBeDefined();
    expect(api.logins).toBe(2);
    c.close();
  });

  it('should log in again ahead of expiry when the token is close to expiring', async () => {
    api.lifetime = 1;
    const c = client();
    await c.listJobs();
    // 20% of a 1 s token is the margin: after 0.8 s the next call logs in first.
    await new Promise((r) => setTimeout(r, 900));
    await c.listJobs();
    expect(api.logins).toBe(2);
    c.close();
  });

  it('should share one login between concurrent calls', async () => {
    const c = client();
    await Promise.all([c.listJobs(), c.keys(), c.listJobs()]);
    expect(api.logins).toBe(1);
    c.close();
  });

  it('should raise SaltApiError with the status and the page text when credentials are refused', async () => {
    const c = client('wrong');
    const err = await c.listJobs().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SaltApiError);
    expect(err).toMatchObject({ saltStatus: 401, text: 'Could not authenticate using provided credentials' });
    expect((err as SaltApiError).getStatus()).toBe(502);
    c.close();
  });

  it('should raise SaltApiError when salt-api answers 500', async () => {
    const c = client();
    await expect(c.job('boom')).rejects.toMatchObject({ saltStatus: 500 });
    c.close();
  });

  it('should raise SaltUnavailableError (503) when nothing listens', async () => {
    const c = new SaltApiClient({ url: 'http://127.0.0.1:9', username: 'u', password: 'p', eauth: 'pam' }, { timeoutMs: 2000 });
    const err = await c.listJobs().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SaltUnavailableError);
    expect((err as SaltUnavailableError).getStatus()).toBe(503);
    expect((err as Error).message).toMatch(/^salt-api unreachable: ECONNREFUSED/);
    c.close();
  });

  it('should refuse to call when no URL is configured', async () => {
    const c = new SaltApiClient({ url: null, username: 'u', password: 'p', eauth: 'pam' });
    await expect(c.listJobs()).rejects.toBeInstanceOf(SaltNotConfiguredError);
  });

  it('should drop the token and bump the generation when the connection settings change', async () => {
    const c = client();
    await c.listJobs();
    const gen = c.connectionGeneration;
    c.configure({ url: api.url, username: 'other', password: 'pw', eauth: 'pam' });
    expect(c.login).toBeNull();
    expect(c.connectionGeneration).toBe(gen + 1);
    c.configure({ url: api.url, username: 'other', password: 'pw', eauth: 'pam' });
    expect(c.connectionGeneration).toBe(gen + 1);
    await c.listJobs();
    expect(c.login?.user).toBe('other');
    c.close();
  });

  it('should post lowstate as a list and keep a base path when salt-api sits behind a prefix', async () => {
    const c = client();
    await expect(c.runAsync({ fun: 'test.ping', tgt: 'a' })).resolves.toEqual({ jid: '1', minions: ['a'] });
    expect(JSON.parse(api.calls.find((x) => x.path === '/' && x.method === 'POST')?.body ?? '')).toEqual([{ fun: 'test.ping', tgt: 'a', client: 'local_async' }]);
    const prefixed = new SaltApiClient({ url: 'https://example.com/salt/', username: 'u', password: 'p', eauth: 'pam' });
    expect(prefixed.urlFor('/jobs/1').toString()).toBe('https://example.com/salt/jobs/1');
    c.close();
    prefixed.close();
  });
});
