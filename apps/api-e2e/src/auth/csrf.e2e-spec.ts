import type { CreatedApiTokenDto } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const PASSWORD = 'long-enough-password';

describe('CSRF protection of cookie-authenticated mutations', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;
  let adminId: string;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    adminId = (await db.userId('admin')) ?? '';
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  /** A signed-in admin client that sends no X-XSRF-TOKEN unless a test adds one. */
  async function bare(): Promise<ApiClient> {
    const c = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    c.xsrf = false;
    return c;
  }

  it('should refuse a cookie-authenticated POST without X-XSRF-TOKEN with 403, a deny row and no effect', async () => {
    const c = await bare();
    const { id, headers } = tagged('csrf-missing');
    const r = await c.post<{ message: string }>('/api/users', { username: 'csrf-victim', password: PASSWORD }, headers);
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/CSRF/);
    expect(await db.rowOf(id)).toMatchObject({
      action: 'user.create', decision: 'deny', result_code: 403, user_id: adminId, resource: 'csrf:POST /api/users',
    });
    expect(await db.userId('csrf-victim')).toBeNull();
  });

  it('should refuse a POST whose X-XSRF-TOKEN differs from the cookie', async () => {
    const c = await bare();
    const { id, headers } = tagged('csrf-wrong');
    const r = await c.post('/api/users', { username: 'csrf-victim', password: PASSWORD }, { ...headers, 'x-xsrf-token': 'not-the-token' });
    expect(r.status).toBe(403);
    expect(await db.rowOf(id)).toMatchObject({ action: 'user.create', decision: 'deny', result_code: 403 });
    expect(await db.userId('csrf-victim')).toBeNull();
  });

  it('should refuse a forged cookie and header pair that an attacker chose', async () => {
    const c = await bare();
    c.setCookie('XSRF-TOKEN', 'attacker-chosen');
    const r = await c.post('/api/roles', { name: 'forged', permissions: [] }, { 'x-xsrf-token': 'attacker-chosen' });
    expect(r.status).toBe(403);
    expect((await db.query(`SELECT 1 FROM roles WHERE name = 'forged'`)).length).toBe(0);
  });

  it('should refuse the XSRF token of another session because the token is bound to its session', async () => {
    const other = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    const foreign = decodeURIComponent(other.cookie('XSRF-TOKEN') ?? '');
    const c = await bare();
    c.setCookie('XSRF-TOKEN', foreign);
    const r = await c.post('/api/roles', { name: 'foreign', permissions: [] }, { 'x-xsrf-token': foreign });
    expect(r.status).toBe(403);
  });

  it('should refuse a logout without the token and leave the session alive', async () => {
    const c = await bare();
    const { id, headers } = tagged('csrf-logout');
    expect((await c.post('/api/auth/logout', {}, headers)).status).toBe(403);
    expect((await c.get('/api/auth/me')).status).toBe(200);
    expect(await db.rowOf(id)).toMatchObject({ action: 'auth.logout', decision: 'deny', result_code: 403 });
  });

  it('should refuse PATCH and DELETE without the token as well', async () => {
    const c = await bare();
    expect((await c.patch(`/api/users/${adminId}`, { display_name: 'x' })).status).toBe(403);
    expect((await c.delete('/api/roles/viewer')).status).toBe(403);
  });

  it('should need no token for reads', async () => {
    const c = await bare();
    expect((await c.get('/api/users')).status).toBe(200);
    expect((await c.get('/api/audit?limit=1')).status).toBe(200);
  });

  it('should carry out the request when the header echoes this session\'s cookie', async () => {
    const { id, headers } = tagged('csrf-ok');
    const r = await admin.post('/api/users', { username: 'csrf-ok', password: PASSWORD }, headers);
    expect(r.status).toBe(201);
    expect(await db.rowOf(id)).toMatchObject({ action: 'user.create', decision: 'allow', result_code: 201, resource: 'user:csrf-ok' });
  });

  it('should need no CSRF token for bearer-token requests', async () => {
    const t = await admin.post<CreatedApiTokenDto>('/api/tokens', { name: 'ci', permissions: ['manage:user:*', 'view:user:*'] });
    expect(t.status).toBe(201);
    const bot = ApiClient.withToken(api.url, t.body.token);
    const r = await bot.post('/api/users', { username: 'made-by-token', password: PASSWORD });
    expect(r.status).toBe(201);
    expect(await db.userId('made-by-token')).not.toBeNull();
  });
});
