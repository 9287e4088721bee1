import type { ErrorEnvelope, UserDto } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const PASSWORD = 'long-enough-password';

/**
 * The audit store is broken on purpose with a trigger that refuses inserts (of one action, or
 * all). The api connects as a superuser here, so REVOKE would not stop it; a trigger does.
 */
describe('fail closed: no effect without a durable audit row', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;
  let viewer: ApiClient;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    await db.query(`
      CREATE FUNCTION e2e_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_ARGV[0] = '*' OR NEW.action = TG_ARGV[0] THEN
          RAISE EXCEPTION 'audit store unavailable (e2e: %)', NEW.action;
        END IF;
        RETURN NEW;
      END $$`);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    expect((await admin.post('/api/users', { username: 'vic', password: PASSWORD, roles: ['viewer'] })).status).toBe(201);
    viewer = await ApiClient.signedIn(api.url, 'vic', PASSWORD);
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  async function refuse(action: string): Promise<void> {
    await db.query(`CREATE TRIGGER e2e_refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION e2e_refuse_audit('${action}')`);
  }
  async function repair(): Promise<void> {
    await db.query('DROP TRIGGER IF EXISTS e2e_refuse ON audit_log');
  }

  it('should answer 503 to a mutating request whose audit row cannot be written and not carry it out', async () => {
    await refuse('user.create');
    try {
      const { id, headers } = tagged('closed-create');
      const r = await admin.post<ErrorEnvelope>('/api/users', { username: 'never-made', password: PASSWORD }, headers);
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/audit log unavailable/) });
      expect(await db.userId('never-made')).toBeNull();
      expect((await admin.get<UserDto[]>('/api/users')).body.map((u) => u.username)).not.toContain('never-made');
      expect(await db.byRequestId(id)).toEqual([]);

      // Other actions still get their rows, so they still work.
      expect((await admin.post('/api/roles', { name: 'still-works', permissions: [] })).status).toBe(201);
    } finally {
      await repair();
    }
    expect((await admin.post('/api/users', { username: 'made-later', password: PASSWORD })).status).toBe(201);
  });

  it('should answer 503 to a sign-in whose audit row cannot be written and start no session', async () => {
    const before = await db.query('SELECT id FROM sessions');
    await refuse('auth.login');
    try {
      const c = new ApiClient(api.url);
      const r = await c.post<ErrorEnvelope>('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
      expect(r.status).toBe(503);
      expect(c.cookie('sylvite_session')).toBeUndefined();
      expect(await db.query('SELECT id FROM sessions')).toHaveLength(before.length);
    } finally {
      await repair();
    }
  });

  it('should hold reads and denials in the buffer while the store refuses them and write them once it recovers', async () => {
    await refuse('*');
    const ids: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const deny = tagged('held-deny');
        expect((await viewer.get('/api/users', deny.headers)).status).toBe(403);
        const read = tagged('held-read');
        expect((await admin.get('/api/audit?limit=1', read.headers)).status).toBe(200);
        ids.push(deny.id, read.id);
      }
      expect((await admin.post('/api/roles', { name: 'refused', permissions: [] })).status).toBe(503);
      // Several flush ticks (100 ms each) fail meanwhile.
      await new Promise((r) => setTimeout(r, 400));
      expect(await db.query('SELECT 1 FROM audit_log WHERE request_id = ANY($1)', [ids])).toEqual([]);
    } finally {
      await repair();
    }
    for (const id of ids) await db.rowOf(id);
    expect((await db.query('SELECT 1 FROM roles WHERE name = $1', ['refused'])).length).toBe(0);
  });

  it('should flush buffered rows on a graceful stop (SIGTERM)', async () => {
    await refuse('*');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const deny = tagged('stop-deny');
      expect((await viewer.get('/api/roles', deny.headers)).status).toBe(403);
      const read = tagged('stop-read');
      expect((await admin.get('/api/audit?limit=1', read.headers)).status).toBe(200);
      ids.push(deny.id, read.id);
    }
    // Repaired and stopped at once: whatever the 100 ms timer has not written, shutdown must.
    await repair();
    await api.stop('SIGTERM');
    expect(api.child.exitCode === 0 || api.child.signalCode === 'SIGTERM').toBe(true);
    const rows = await db.query<{ request_id: string; action: string; decision: string }>(
      'SELECT request_id, action, decision FROM audit_log WHERE request_id = ANY($1)', [ids],
    );
    expect(rows.map((r) => r.request_id).sort()).toEqual([...ids].sort());
    expect(rows.filter((r) => r.action === 'role.list').every((r) => r.decision === 'deny')).toBe(true);
  });
});
