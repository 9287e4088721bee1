import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const PASSWORD = 'long-enough-password';

/**
 * The order matters: every failure here also counts against 127.0.0.1, so the per-address
 * throttle (20 failures in 15 minutes) is reached by the last test on purpose.
 */
describe('login protection: account lockout and per-address throttle', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;
  let failures = 0;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    for (const username of ['locky', 'resetty', 'other']) {
      expect((await admin.post('/api/users', { username, password: PASSWORD })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  async function login(username: string, password: string, headers?: Record<string, string>) {
    const r = await new ApiClient(api.url).post<{ message: string }>('/api/auth/login', { username, password }, headers);
    if (r.status === 401) failures += 1;
    return r;
  }

  it('should lock the account after 5 failures and answer 429 with Retry-After even with the right password', async () => {
    for (let i = 1; i <= 5; i++) expect((await login('locky', `wrong-${i}-password`)).status).toBe(401);
    const { id, headers } = tagged('locked');
    const r = await login('LOCKY', PASSWORD, headers);
    expect(r.status).toBe(429);
    expect(r.body.message).toMatch(/locked/);
    const retry = Number(r.headers.get('retry-after'));
    expect(Number.isInteger(retry)).toBe(true);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    expect(await db.rowOf(id)).toMatchObject({ action: 'auth.login', decision: 'deny', result_code: 429, user_id: null, resource: 'user:LOCKY' });
  });

  it('should lock only that account, not other users', async () => {
    expect((await login('other', PASSWORD)).status).toBe(200);
  });

  it('should let the user in again once the lock has run out', async () => {
    await db.query(`UPDATE users SET locked_until = now() - interval '1 second' WHERE username = 'locky'`);
    expect((await login('locky', PASSWORD)).status).toBe(200);
    const [u] = await db.query<{ failed_logins: number; locked_until: Date | null }>(
      `SELECT failed_logins, locked_until FROM users WHERE username = 'locky'`,
    );
    expect(u).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('should unlock the account when an admin resets the password', async () => {
    for (let i = 1; i <= 5; i++) expect((await login('locky', `again-${i}-password`)).status).toBe(401);
    expect((await login('locky', PASSWORD)).status).toBe(429);
    const id = await db.userId('locky');
    expect((await admin.post(`/api/users/${id}/password`, { password: 'a-brand-new-password' })).status).toBe(204);
    expect((await login('locky', 'a-brand-new-password')).status).toBe(200);
  });

  it('should start counting again after a successful sign-in', async () => {
    for (let i = 1; i <= 4; i++) expect((await login('resetty', `bad-${i}-password`)).status).toBe(401);
    expect((await login('resetty', PASSWORD)).status).toBe(200);
    for (let i = 1; i <= 4; i++) expect((await login('resetty', `bad-${i}-password`)).status).toBe(401);
    expect((await login('resetty', PASSWORD)).status).toBe(200);
  });

  it('should throttle the source address with 429 and Retry-After after 20 failures', async () => {
    expect(failures).toBeLessThan(20);
    // Unknown names: only the address counter moves, no account locks.
    while (failures < 20) expect((await login(`nobody-${failures}`, 'some-password')).status).toBe(401);
    const { id, headers } = tagged('throttled');
    const r = await login('admin', ADMIN_PASSWORD, headers);
    expect(r.status).toBe(429);
    expect(r.body.message).toMatch(/address/);
    const retry = Number(r.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    expect(await db.rowOf(id)).toMatchObject({ action: 'auth.login', decision: 'deny', result_code: 429, user_id: null });
    // Sessions made before the throttle keep working: it guards sign-in, not the api.
    expect((await admin.get('/api/auth/me')).status).toBe(200);
  });
});
