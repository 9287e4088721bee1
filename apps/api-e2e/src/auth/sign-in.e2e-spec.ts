import type { MeResponse } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const CAROL_PASSWORD = 'carol-password-1';

describe('sign-in, sessions and change-password', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;
  let adminId: string;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    adminId = (await db.userId('admin')) ?? '';
    const created = await admin.post('/api/users', { username: 'Carol', password: CAROL_PASSWORD, roles: ['viewer'] });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  it('should sign in whatever the letter case and audit an allow row with the user id when the password is right', async () => {
    const c = new ApiClient(api.url);
    const { id, headers } = tagged('login-ok');
    const r = await c.post<MeResponse>('/api/auth/login', { username: 'AdMiN', password: ADMIN_PASSWORD }, headers);
    expect(r.status).toBe(200);
    expect(r.body.user.username).toBe('admin');
    expect(r.body.permissions).toEqual(['*:*:*']);
    expect(r.body.auth).toBe('session');
    const setCookies = r.headers.getSetCookie();
    const session = setCookies.find((s) => s.startsWith('sylvite_session='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).not.toMatch(/Secure/i);
    expect(setCookies.find((s) => s.startsWith('XSRF-TOKEN='))).not.toMatch(/HttpOnly/i);

    const row = await db.rowOf(id);
    expect(row).toMatchObject({ action: 'auth.login', decision: 'allow', result_code: 200, user_id: adminId, resource: 'user:AdMiN' });
    expect(row.args_json).toEqual({ body: { username: 'AdMiN', password: '<redacted>' } });
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
    expect(row.source_ip).toBe('127.0.0.1');
  });

  it('should answer 401 and audit a deny row with a null user id and the typed name when the password is wrong', async () => {
    const c = new ApiClient(api.url);
    const { id, headers } = tagged('login-bad');
    const r = await c.post<{ statusCode: number; message: string }>('/api/auth/login', { username: 'Admin', password: 'not-the-password' }, headers);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: 'invalid username or password' });
    expect(c.cookie('sylvite_session')).toBeUndefined();
    const row = await db.rowOf(id);
    expect(row).toMatchObject({ action: 'auth.login', decision: 'deny', result_code: 401, user_id: null, resource: 'user:Admin' });
    expect(row.args_json).toEqual({ body: { username: 'Admin', password: '<redacted>' } });
  });

  it('should answer an unknown user exactly like a wrong password and record the typed name', async () => {
    const { id, headers } = tagged('login-ghost');
    const r = await new ApiClient(api.url).post<{ message: string }>('/api/auth/login', { username: 'ghost', password: 'whatever-password' }, headers);
    expect(r.status).toBe(401);
    expect(r.body.message).toBe('invalid username or password');
    expect(await db.rowOf(id)).toMatchObject({ decision: 'deny', result_code: 401, user_id: null, resource: 'user:ghost' });
  });

  it('should take about as long to refuse an unknown user as to sign in a real one', async () => {
    const time = async (username: string, password: string, want: number) => {
      const t0 = performance.now();
      const r = await new ApiClient(api.url).post('/api/auth/login', { username, password });
      expect(r.status).toBe(want);
      return performance.now() - t0;
    };
    const ok: number[] = [];
    const ghost: number[] = [];
    for (let i = 0; i < 3; i++) {
      ok.push(await time('admin', ADMIN_PASSWORD, 200));
      ghost.push(await time(`nobody-${i}`, 'some-password-here', 401));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    // An argon2 verification dominates both; skipping it for unknown users would make them ~10x faster.
    expect(median(ghost)).toBeGreaterThan(median(ok) * 0.4);
  });

  it('should refuse /auth/me with 401 and a deny row when no session is sent', async () => {
    const { id, headers } = tagged('me-anon');
    const r = await new ApiClient(api.url).get('/api/auth/me', headers);
    expect(r.status).toBe(401);
    expect(await db.rowOf(id)).toMatchObject({ action: 'auth.me', decision: 'deny', result_code: 401, user_id: null });
  });

  it('should describe the signed-in user and their effective permissions on /auth/me', async () => {
    const carol = await ApiClient.signedIn(api.url, 'carol', CAROL_PASSWORD);
    const r = await carol.get<MeResponse>('/api/auth/me');
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'Carol', roles: ['viewer'], disabled: false });
    expect(r.body.permissions).toEqual(['view:job:*', 'view:key:*', 'view:minion:*']);
    expect(r.body.auth).toBe('session');
    expect(Date.parse(r.body.session_expires_at ?? '')).toBeGreaterThan(Date.now());
  });

  it('should end the session on logout so its cookie no longer works', async () => {
    const c = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    const stolen = c.cookie('sylvite_session') ?? '';
    const { id, headers } = tagged('logout');
    const r = await c.post('/api/auth/logout', {}, headers);
    expect(r.status).toBe(204);
    expect(c.cookie('sylvite_session')).toBeUndefined();
    expect((await c.get('/api/auth/me')).status).toBe(401);

    const replay = new ApiClient(api.url);
    replay.setCookie('sylvite_session', stolen);
    expect((await replay.get('/api/auth/me')).status).toBe(401);
    expect(await db.rowOf(id)).toMatchObject({ action: 'auth.logout', decision: 'allow', result_code: 204, user_id: adminId });
    const sessions = await db.query('SELECT 1 FROM sessions WHERE user_id = $1', [adminId]);
    // The other admin sessions of this file survive; only this one is gone.
    expect(sessions.length).toBeGreaterThan(0);
  });

  it('should name new_password when the new password is too short', async () => {
    const carol = await ApiClient.signedIn(api.url, 'carol', CAROL_PASSWORD);
    const r = await carol.post<{ message: string }>('/api/auth/change-password', { current_password: CAROL_PASSWORD, new_password: 'short' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^new_password:/);
  });

  it('should refuse a wrong current password with 401 naming current_password', async () => {
    const carol = await ApiClient.signedIn(api.url, 'carol', CAROL_PASSWORD);
    const r = await carol.post<{ message: string }>('/api/auth/change-password', { current_password: 'wrong-password!', new_password: 'another-long-password' });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/current_password/);
    expect((await carol.get('/api/auth/me')).status).toBe(200);
  });

  it('should end the other sessions and keep this one when the password is changed', async () => {
    const here = await ApiClient.signedIn(api.url, 'carol', CAROL_PASSWORD);
    const elsewhere = await ApiClient.signedIn(api.url, 'carol', CAROL_PASSWORD);
    const next = 'carol-new-password-2';
    const { id, headers } = tagged('change-pw');
    const r = await here.post('/api/auth/change-password', { current_password: CAROL_PASSWORD, new_password: next }, headers);
    expect(r.status).toBe(204);

    expect((await here.get('/api/auth/me')).status).toBe(200);
    expect((await elsewhere.get('/api/auth/me')).status).toBe(401);
    expect((await new ApiClient(api.url).post('/api/auth/login', { username: 'carol', password: CAROL_PASSWORD })).status).toBe(401);
    expect((await new ApiClient(api.url).post('/api/auth/login', { username: 'CAROL', password: next })).status).toBe(200);

    const row = await db.rowOf(id);
    expect(row).toMatchObject({ action: 'auth.change_password', decision: 'allow', result_code: 204, user_id: await db.userId('carol') });
    expect(row.args_json).toMatchObject({ body: { current_password: '<redacted>', new_password: '<redacted>' } });
    expect(JSON.stringify(row.args_json)).not.toContain(next);
  });
});
