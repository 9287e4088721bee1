import type { ErrorEnvelope } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids, the error envelope and input that is not what a route expects', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  function expectEnvelope(body: unknown, status: number): asserts body is ErrorEnvelope {
    expect(body).toEqual(expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.any(String) }));
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules|QueryFailedError/);
  }

  it('should echo a client\'s X-Request-Id and store it on the audit row', async () => {
    const { id, headers } = tagged('echo');
    const r = await admin.post('/api/roles', { name: 'echoed', permissions: [] }, headers);
    expect(r.status).toBe(201);
    expect(r.headers.get('x-request-id')).toBe(id);
    expect(await db.rowOf(id)).toMatchObject({ action: 'role.create', request_id: id });
  });

  it('should make up a request id when none or an unusable one is sent, and put it in the error envelope', async () => {
    const none = await new ApiClient(api.url).get<ErrorEnvelope>('/api/users');
    expect(none.headers.get('x-request-id')).toMatch(UUID);
    expectEnvelope(none.body, 401);
    expect(none.body.requestId).toBe(none.headers.get('x-request-id'));

    const bad = await admin.get('/api/health', { 'x-request-id': 'has spaces; and <script>' });
    expect(bad.headers.get('x-request-id')).toMatch(UUID);
    const long = await admin.get('/api/health', { 'x-request-id': 'x'.repeat(129) });
    expect(long.headers.get('x-request-id')).toMatch(UUID);
  });

  it('should answer a malformed JSON body with a 400 envelope', async () => {
    const r = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username": "admin", ' });
    expect(r.status).toBe(400);
    expectEnvelope(await r.json(), 400);
  });

  it('should answer an unknown query parameter with 400 naming it', async () => {
    const r = await admin.get<ErrorEnvelope>('/api/audit?limit=5&colour=red');
    expect(r.status).toBe(400);
    expectEnvelope(r.body, 400);
    expect(r.body.message).toMatch(/^colour:/);
  });

  it('should answer an unknown body field with 400 naming it', async () => {
    const r = await admin.post<ErrorEnvelope>('/api/roles', { name: 'extra', permissions: [], superuser: true });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/superuser/);
  });

  it('should answer an unknown api path with a 404 envelope, not the console', async () => {
    const r = await admin.get<ErrorEnvelope>('/api/no-such-thing');
    expect(r.status).toBe(404);
    expectEnvelope(r.body, 404);
  });

  it('should answer a body too large with a 413 envelope', async () => {
    const r = await admin.post<ErrorEnvelope>('/api/roles', { name: 'big', permissions: [], description: 'x'.repeat(2_000_000) });
    expect(r.status).toBe(413);
    expectEnvelope(r.body, 413);
  });

  it('should answer a NUL character in input with 400, never 500, and still audit the attempt', async () => {
    const login = tagged('nul-login');
    const r = await new ApiClient(api.url).post<ErrorEnvelope>('/api/auth/login', { username: 'adm\u0000in', password: 'whatever-password' }, login.headers);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(await db.rowOf(login.id)).toMatchObject({ action: 'auth.login', decision: 'deny', user_id: null, resource: 'user:adm\uFFFDin' });

    const user = await admin.patch<ErrorEnvelope>('/api/users/00000000-0000-4000-8000-000000000000', { display_name: 'a\u0000b' });
    expect(user.status).toBeLessThan(500);
    const role = await admin.delete<ErrorEnvelope>('/api/roles/bad%00name');
    expect(role.status).toBeLessThan(500);
  });

  it('should keep recording other rows after a row the database could not take as it was', async () => {
    const viewer = await admin.post('/api/users', { username: 'nul-viewer', password: 'long-enough-password', roles: ['viewer'] });
    expect(viewer.status).toBe(201);
    const v = await ApiClient.signedIn(api.url, 'nul-viewer', 'long-enough-password');
    // Denials whose resource and arguments carry what PostgreSQL refuses (a NUL, a lone
    // surrogate), then an ordinary one: all go through the same buffered writer.
    const nul = tagged('nul-deny');
    expect((await v.delete('/api/roles/x%00y', nul.headers)).status).toBe(403);
    const surrogate = tagged('surrogate-deny');
    expect((await v.post('/api/roles', { name: 'x\ud800y', permissions: [] }, surrogate.headers)).status).toBe(403);
    const plain = tagged('plain-deny');
    expect((await v.get('/api/users', plain.headers)).status).toBe(403);
    expect(await db.rowOf(plain.id)).toMatchObject({ action: 'user.list', decision: 'deny' });
    expect(await db.rowOf(nul.id)).toMatchObject({ action: 'role.delete', decision: 'deny', resource: 'role:x\uFFFDy' });
    expect(await db.rowOf(surrogate.id)).toMatchObject({ action: 'role.create', decision: 'deny', resource: 'role:x\uFFFDy' });
  });

  it('should serve Prometheus metrics at /metrics and /api/metrics without signing in', async () => {
    for (const path of ['/metrics', '/api/metrics']) {
      const r = await fetch(api.url + path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await r.text()).toMatch(/^sylvite_\w+/m);
    }
  });
});
