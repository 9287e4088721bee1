import type { ApiTokenDto, CreatedApiTokenDto, MeResponse } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const PASSWORD = 'long-enough-password';

describe('API tokens', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;
  let adminId: string;
  let viewer: ApiClient;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    adminId = (await db.userId('admin')) ?? '';
    for (const [username, roles] of [['vera', ['viewer']], ['dave', ['auditor']]] as const) {
      expect((await admin.post('/api/users', { username, password: PASSWORD, roles })).status).toBe(201);
    }
    viewer = await ApiClient.signedIn(api.url, 'vera', PASSWORD);
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  async function token(c: ApiClient, body: Record<string, unknown>): Promise<CreatedApiTokenDto> {
    const r = await c.post<CreatedApiTokenDto>('/api/tokens', body);
    if (r.status !== 201) throw new Error(`token create: ${r.status} ${r.text}`);
    return r.body;
  }

  it('should show the secret once on creation and never in the list or the database', async () => {
    const { id, headers } = tagged('token-create');
    const r = await admin.post<CreatedApiTokenDto>('/api/tokens', { name: 'deploy', permissions: ['view:user:*'], expires_in_days: 7 }, headers);
    expect(r.status).toBe(201);
    expect(r.body.token).toMatch(/^syl_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}$/);
    expect(r.body.token).toContain(r.body.prefix);
    expect(r.body.permissions).toEqual(['view:user:*']);
    const days = (Date.parse(r.body.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);

    const list = await admin.get<ApiTokenDto[]>('/api/tokens');
    expect(list.status).toBe(200);
    const listed = list.body.find((t) => t.id === r.body.id);
    expect(listed).toMatchObject({ name: 'deploy', prefix: r.body.prefix, revoked_at: null });
    expect(listed).not.toHaveProperty('token');
    expect(list.text).not.toContain(r.body.token);
    expect(list.text).not.toMatch(/hash/i);

    const stored = await db.query<{ row: string }>('SELECT row_to_json(t)::text AS row FROM api_tokens t WHERE id = $1', [r.body.id]);
    expect(stored[0].row).not.toContain(r.body.token.slice(13));
    const row = await db.rowOf(id);
    expect(row).toMatchObject({ action: 'token.create', decision: 'allow', result_code: 201, user_id: adminId, resource: 'token:deploy' });
    expect(JSON.stringify(row)).not.toContain(r.body.token);
  });

  it('should list only the caller\'s own tokens', async () => {
    await token(viewer, { name: 'vera-own', permissions: ['view:job:*'] });
    const mine = await viewer.get<ApiTokenDto[]>('/api/tokens');
    expect(mine.body.map((t) => t.name)).toEqual(['vera-own']);
  });

  it('should refuse permissions beyond the creator\'s own with 400 naming permissions', async () => {
    const r = await viewer.post<{ message: string }>('/api/tokens', { name: 'greedy', permissions: ['view:job:*', 'view:audit:*'] });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^permissions: .*view:audit:\*/);
    const narrower = await viewer.post('/api/tokens', { name: 'narrow', permissions: ['view:job:web*'] });
    expect(narrower.status).toBe(201);
  });

  it('should refuse malformed token requests with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'x', permissions: ['fly:plane:*'] }, /permissions/],
      [{ name: 'x', permissions: 'view:job:*' }, /permissions/],
      [{ name: '', permissions: [] }, /name/],
      [{ name: 'x', permissions: [], expires_in_days: 0 }, /expires_in_days/],
      [{ name: 'x', permissions: [], expires_in_days: 366 }, /expires_in_days/],
      [{ name: 'x', permissions: [], owner: 'admin' }, /owner/],
    ];
    for (const [body, re] of cases) {
      const r = await viewer.post<{ message: string }>('/api/tokens', body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.body.message).toMatch(re);
    }
  });

  it('should authenticate with the token and hold only the token\'s permissions', async () => {
    const t = await token(admin, { name: 'reader', permissions: ['view:user:*'] });
    const bot = ApiClient.withToken(api.url, t.token);
    const me = await bot.get<MeResponse>('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ auth: 'token', permissions: ['view:user:*'], session_expires_at: null });
    expect(me.body.user.username).toBe('admin');
    expect((await bot.get('/api/users')).status).toBe(200);

    const { id, headers } = tagged('token-denied');
    expect((await bot.post('/api/users', { username: 'nope', password: PASSWORD }, headers)).status).toBe(403);
    expect(await db.rowOf(id)).toMatchObject({ action: 'user.create', decision: 'deny', result_code: 403, user_id: adminId });
    expect((await bot.get('/api/audit')).status).toBe(403);

    const used = await admin.get<ApiTokenDto[]>('/api/tokens');
    expect(used.body.find((x) => x.id === t.id)?.last_used_at).not.toBeNull();
  });

  it('should refuse to let a token create another token', async () => {
    const t = await token(admin, { name: 'minter', permissions: ['*:*:*'] });
    const bot = ApiClient.withToken(api.url, t.token);
    const r = await bot.post<{ message: string }>('/api/tokens', { name: 'child', permissions: ['view:job:*'] });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/cannot create tokens/);
    const mine = await admin.get<ApiTokenDto[]>('/api/tokens');
    expect(mine.body.some((x) => x.name === 'child')).toBe(false);
  });

  it('should answer 401 with a deny row once the token is revoked', async () => {
    const t = await token(admin, { name: 'short-lived', permissions: ['view:user:*'] });
    const bot = ApiClient.withToken(api.url, t.token);
    expect((await bot.get('/api/users')).status).toBe(200);
    expect((await admin.delete(`/api/tokens/${t.id}`)).status).toBe(204);
    const { id, headers } = tagged('token-revoked');
    const r = await bot.get<{ message: string }>('/api/users', headers);
    expect(r.status).toBe(401);
    expect(await db.rowOf(id)).toMatchObject({ action: 'user.list', decision: 'deny', result_code: 401, user_id: null });
    const listed = (await admin.get<ApiTokenDto[]>('/api/tokens')).body.find((x) => x.id === t.id);
    expect(listed?.revoked_at).not.toBeNull();
  });

  it('should not let a user revoke someone else\'s token', async () => {
    const t = await token(admin, { name: 'admins-own', permissions: ['view:user:*'] });
    expect((await viewer.delete(`/api/tokens/${t.id}`)).status).toBe(404);
    expect((await ApiClient.withToken(api.url, t.token).get('/api/users')).status).toBe(200);
  });

  it('should answer 401 once the token has expired', async () => {
    const t = await token(admin, { name: 'expiring', permissions: ['view:user:*'], expires_in_days: 1 });
    const bot = ApiClient.withToken(api.url, t.token);
    expect((await bot.get('/api/users')).status).toBe(200);
    await db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [t.id]);
    expect((await bot.get('/api/users')).status).toBe(401);
  });

  it('should answer 401 for an unknown token or a malformed Authorization header', async () => {
    expect((await ApiClient.withToken(api.url, 'syl_00000000_nope').get('/api/auth/me')).status).toBe(401);
    expect((await new ApiClient(api.url).get('/api/auth/me', { authorization: 'Basic YWRtaW46eA==' })).status).toBe(401);
  });

  it('should narrow a token to what its owner still holds when the owner loses a role', async () => {
    const dave = await ApiClient.signedIn(api.url, 'dave', PASSWORD);
    const t = await token(dave, { name: 'audit-export', permissions: ['view:audit:*'] });
    const bot = ApiClient.withToken(api.url, t.token);
    expect((await bot.get('/api/audit?limit=1')).status).toBe(200);
    const daveId = await db.userId('dave');
    expect((await admin.delete(`/api/users/${daveId}/roles/auditor`)).status).toBe(200);
    expect((await bot.get('/api/audit?limit=1')).status).toBe(403);
  });

  it('should stop a disabled user\'s tokens', async () => {
    const t = await token(viewer, { name: 'vera-bot', permissions: ['view:job:*'] });
    const bot = ApiClient.withToken(api.url, t.token);
    expect((await bot.get('/api/auth/me')).status).toBe(200);
    const veraId = await db.userId('vera');
    expect((await admin.patch(`/api/users/${veraId}`, { disabled: true })).status).toBe(200);
    expect((await bot.get('/api/auth/me')).status).toBe(401);
  });
});
