import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { SaltStreamService } from './salt-stream.service';
import { Browser, ensureSimBuilt, Sim, startApp } from './test-app';

jest.setTimeout(120_000);

async function until<T>(what: string, check: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function jobRows(app: INestApplication, jid: string): Promise<number> {
  const r: { n: string }[] = await app.get(DataSource).query('SELECT count(*) n FROM activity_events WHERE jid = $1', [jid]);
  return Number(r[0].n);
}

async function audit(app: INestApplication, action: string): Promise<{ decision: string; result_code: number; args_json: unknown }[]> {
  return app.get(DataSource).query('SELECT decision, result_code, args_json FROM audit_log WHERE action = $1 ORDER BY id', [action]);
}

describe('Settings API and the stream service', () => {
  let sim: Sim;
  let db: TestDatabase;
  let app: INestApplication;
  let admin: Browser;

  beforeAll(async () => {
    ensureSimBuilt();
    sim = new Sim();
    await sim.start();
    db = await createTestDatabase();
    app = await startApp(db.url, { SALT_API_URL: sim.url, SALT_API_USERNAME: 'saltapi', SALT_API_PASSWORD: 'pw', SALT_API_EAUTH: 'auto' });
    admin = await Browser.signIn(app.getHttpServer());
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await sim?.stop();
    await db?.drop();
  });

  it('should answer 401 without a session and 403 without edit:settings', async () => {
    await expect(request(app.getHttpServer()).get('/api/admin/settings').then((r) => r.status)).resolves.toBe(401);
    const created = await admin.post('/api/users', { username: 'viewer', password: 'viewer-password-123', roles: [] });
    expect(created.status).toBe(201);
    const viewer = await Browser.signIn(app.getHttpServer(), 'viewer', 'viewer-password-123');
    await expect(viewer.get('/api/admin/settings').then((r) => r.status)).resolves.toBe(403);
    await expect(viewer.patch('/api/admin/settings/retention', { days: 5 }).then((r) => r.status)).resolves.toBe(403);
  });

  it('should return every section with defaults and never the password when read', async () => {
    const res = await admin.get('/api/admin/settings');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      salt: { url: sim.url, username: 'saltapi', eauth: 'auto', password_set: true, configured: true, from_environment: ['url', 'username', 'password', 'eauth'] },
      stream: { enabled: false, from_environment: true },
      retention: { days: 30 },
      audit: { audit_reads: false },
      widget: {
        widget_hide_dispatch: true, widget_hide_routine: false, widget_show_jobs: true, widget_show_keys: true, widget_show_minions: true,
        widget_event_count: 6, widget_heartbeat_minutes: 60,
      },
    });
    expect(JSON.stringify(res.body)).not.toContain('"pw"');
    expect(app.get(SaltStreamService).status.state).toBe('disabled');
  });

  it.each([
    ['retention', { days: 0 }, 'days:'],
    ['retention', { days: 366 }, 'days:'],
    ['retention', { days: '30' }, 'days:'],
    ['widget', { widget_event_count: 51 }, 'widget_event_count:'],
    ['widget', { widget_heartbeat_minutes: 4 }, 'widget_heartbeat_minutes:'],
    ['stream', { enabled: 'yes' }, 'enabled:'],
    ['salt', { url: 'ftp://salt' }, 'url:'],
    ['salt', { eauth: 'p a m' }, 'eauth:'],
    ['audit', { audit_reads: 1 }, 'audit_reads:'],
    ['retention', { days: 5, extra: true }, 'extra'],
  ])('should answer 400 naming the field when %s gets %j', async (section, body, field) => {
    const res = await admin.patch(`/api/admin/settings/${section}`, body);
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(field);
  });

  it('should save each section and audit it under its own action', async () => {
    await expect(admin.put('/api/admin/settings/retention', { days: 90 }).then((r) => r.body)).resolves.toEqual({ days: 90 });
    await expect(admin.patch('/api/admin/settings/widget', { widget_event_count: 12, widget_hide_routine: true }).then((r) => r.body))
      .resolves.toMatchObject({ widget_event_count: 12, widget_hide_routine: true, widget_hide_dispatch: true });
    await expect(admin.patch('/api/admin/settings/audit', { audit_reads: true }).then((r) => r.body)).resolves.toEqual({ audit_reads: true });
    const stored: { key: string; value: unknown }[] = await app.get(DataSource).query(`SELECT key, value FROM settings WHERE key IN ('audit_reads', 'widget')`);
    expect(stored.find((s) => s.key === 'audit_reads')?.value).toBe(true);
    expect(stored.find((s) => s.key === 'widget')?.value).toMatchObject({ widget_event_count: 12, widget_heartbeat_minutes: 60 });
    for (const action of ['settings.retention.update', 'settings.widget.update', 'settings.audit.update']) {
      // Earlier refusals (400) are in the log too; the save is one allowed row.
      const saved = (await audit(app, action)).filter((r) => r.result_code === 200);
      expect(saved).toEqual([expect.objectContaining({ decision: 'allow' })]);
    }
    await admin.patch('/api/admin/settings/audit', { audit_reads: false });
  });

  it('should keep the salt password sealed at rest and out of the audit log when it is changed', async () => {
    const res = await admin.patch('/api/admin/settings/salt', { password: 'new-secret-pw' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ password_set: true, from_environment: ['url', 'username', 'eauth'] });
    const rows: { value: { password_enc: string } }[] = await app.get(DataSource).query(`SELECT value FROM settings WHERE key = 'salt'`);
    expect(rows[0].value.password_enc).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain('new-secret-pw');
    const logged = await audit(app, 'settings.salt.update');
    expect(JSON.stringify(logged)).not.toContain('new-secret-pw');
    // Back to the password the simulator accepts.
    await admin.patch('/api/admin/settings/salt', { password: 'pw' });
  });

  it('should report what it finds without saving when the connection is tested', async () => {
    const ok = await admin.post('/api/admin/settings/salt/test', {});
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, user: 'saltapi', minion_count: 12, minion_count_source: 'keys', missing_clients: [], error: null });
    expect(ok.body.clients).toEqual(expect.arrayContaining(['local', 'local_async', 'runner', 'wheel']));
    const bad = await admin.post('/api/admin/settings/salt/test', { password: 'wrong' });
    expect(bad.body).toMatchObject({ ok: false, status: 401 });
    const down = await admin.post('/api/admin/settings/salt/test', { url: 'http://127.0.0.1:9' });
    expect(down.body).toMatchObject({ ok: false, status: null });
    expect(down.body.error).toContain('salt-api unreachable');
    await expect(admin.get('/api/admin/settings').then((r) => r.body.salt.url)).resolves.toBe(sim.url);
  });

  it('should start ingesting when the stream is switched on and stop when it is switched off', async () => {
    const service = app.get(SaltStreamService);
    await expect(admin.patch('/api/admin/settings/stream', { enabled: true }).then((r) => r.body)).resolves.toEqual({ enabled: true, from_environment: false });
    await until('connected', () => service.status.state === 'connected' || null);
    expect(service.isLeader).toBe(true);
    const { jid } = await sim.control<{ jid: string }>('jobs', { tgt: '*', fun: 'test.ping' });
    await until('rows', async () => (await jobRows(app, jid)) === 13);
    const metrics = await request(app.getHttpServer()).get('/api/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('sylvite_salt_stream_up 1');
    expect(metrics.text).toMatch(/sylvite_ingest_rows_total \d+/);

    await admin.patch('/api/admin/settings/stream', { enabled: false });
    await until('disabled', () => service.status.state === 'disabled' || null);
    const { jid: off } = await sim.control<{ jid: string }>('jobs', { tgt: '*', fun: 'test.ping' });
    await new Promise((r) => setTimeout(r, 1500));
    await expect(jobRows(app, off)).resolves.toBe(0);
  });

  it('should follow a new salt-api without a restart when its URL is saved', async () => {
    const other = new Sim(['--seed', 'other', '--minions', '3']);
    await other.start();
    try {
      const service = app.get(SaltStreamService);
      await admin.patch('/api/admin/settings/stream', { enabled: true });
      await until('connected', () => service.status.state === 'connected' || null);
      const before = service.status.reconnects;
      await admin.patch('/api/admin/settings/salt', { url: other.url });
      await until('connected to the new salt-api', () => (service.status.reconnects > before && service.status.state === 'connected') || null);
      const { jid } = await other.control<{ jid: string }>('jobs', { tgt: '*', fun: 'test.ping' });
      await until('rows from the new salt-api', async () => (await jobRows(app, jid)) === 4);
    } finally {
      await admin.patch('/api/admin/settings/salt', { url: sim.url });
      await other.stop();
    }
  });

  it('should let exactly one replica hold the stream and hand it over when that one stops', async () => {
    const service = app.get(SaltStreamService);
    await until('leader connected', () => (service.isLeader && service.status.state === 'connected') || null);
    const second = await startApp(db.url, { SALT_API_URL: sim.url, SALT_API_USERNAME: 'saltapi', SALT_API_PASSWORD: 'pw', SALT_API_EAUTH: 'auto' });
    try {
      const follower = second.get(SaltStreamService);
      await new Promise((r) => setTimeout(r, 4000));
      expect(follower.isLeader).toBe(false);
      // The follower mirrors the leader's status for its own console.
      await until('status relayed', () => follower.status.state === 'connected' || null);
      await app.close();
      app = second;
      await until('the survivor takes over', () => (follower.isLeader && follower.status.state === 'connected') || null, 20_000);
      const { jid } = await sim.control<{ jid: string }>('jobs', { tgt: '*', fun: 'test.ping' });
      await until('rows via the survivor', async () => (await jobRows(second, jid)) === 13);
    } catch (err) {
      if (app !== second) await second.close();
      throw err;
    }
  });
});
