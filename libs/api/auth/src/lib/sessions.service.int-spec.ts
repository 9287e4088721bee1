import { DataSource } from 'typeorm';
import { loadConfig } from '@sylvite/api-core';
import { dataSourceOptions } from '@sylvite/api-database';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { SessionsService, sha256 } from './sessions.service';

const IDLE_MINUTES = 30;
const ABSOLUTE_HOURS = 12;

describe('SessionsService (idle and absolute expiry, CSRF binding)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sessions: SessionsService;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, []));
    await ds.initialize();
    const config = loadConfig({
      SYLVITE_SECRET: 's'.repeat(40),
      SYLVITE_SESSION_IDLE_MINUTES: String(IDLE_MINUTES),
      SYLVITE_SESSION_ABSOLUTE_HOURS: String(ABSOLUTE_HOURS),
      LOG_LEVEL: 'silent',
    });
    sessions = new SessionsService(ds, config);
    [{ id: userId }] = await ds.query(`INSERT INTO users (username, password_hash) VALUES ('sam', 'x') RETURNING id`);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function age(id: string, set: string): Promise<void> {
    await ds.query(`UPDATE sessions SET ${set} WHERE id = $1`, [id]);
  }
  async function lastSeen(id: string): Promise<Date> {
    return (await ds.query('SELECT last_seen_at FROM sessions WHERE id = $1', [id]))[0].last_seen_at;
  }

  it('should store only the hash of the cookie secret and end at the absolute expiry when created', async () => {
    const s = await sessions.create(userId, '10.1.2.3', 'agent');
    expect(s.id).toBe(sha256(s.token));
    const rows = await ds.query('SELECT id, host(source_ip) AS ip FROM sessions WHERE user_id = $1', [userId]);
    expect(rows.map((r: { id: string }) => r.id)).toContain(s.id);
    expect(JSON.stringify(rows)).not.toContain(s.token);
    const hours = (s.expiresAt.getTime() - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(ABSOLUTE_HOURS - 0.01);
    expect(hours).toBeLessThanOrEqual(ABSOLUTE_HOURS);
  });

  it('should resolve a live session by its secret and nothing else', async () => {
    const s = await sessions.create(userId, null, null);
    expect(await sessions.resolve(s.token)).toMatchObject({ id: s.id, user_id: userId });
    expect(await sessions.resolve(s.id)).toBeNull();
    expect(await sessions.resolve('not-a-session')).toBeNull();
  });

  it('should end a session idle for longer than the idle timeout', async () => {
    const s = await sessions.create(userId, null, null);
    await age(s.id, `last_seen_at = now() - make_interval(mins => ${IDLE_MINUTES}, secs => 1)`);
    expect(await sessions.resolve(s.token)).toBeNull();
    expect(await sessions.isLive(s.id)).toBe(false);
  });

  it('should keep a session used within the idle timeout and push its idle deadline forward', async () => {
    const s = await sessions.create(userId, null, null);
    await age(s.id, `last_seen_at = now() - make_interval(mins => ${IDLE_MINUTES - 1})`);
    expect(await sessions.resolve(s.token)).not.toBeNull();
    const seen = await lastSeen(s.id);
    expect(Date.now() - seen.getTime()).toBeLessThan(10_000);
    expect(await sessions.isLive(s.id)).toBe(true);
  });

  it('should touch last_seen_at at most once a minute when requests come often', async () => {
    const s = await sessions.create(userId, null, null);
    await age(s.id, `last_seen_at = now() - interval '30 seconds'`);
    const before = await lastSeen(s.id);
    expect(await sessions.resolve(s.token)).not.toBeNull();
    expect((await lastSeen(s.id)).getTime()).toBe(before.getTime());
  });

  it('should end a session at its absolute expiry however recently it was used', async () => {
    const s = await sessions.create(userId, null, null);
    await age(s.id, `expires_at = now() - interval '1 second', last_seen_at = now()`);
    expect(await sessions.resolve(s.token)).toBeNull();
    expect(await sessions.isLive(s.id)).toBe(false);
  });

  it('should end every other session of a user and keep the one named', async () => {
    const keep = await sessions.create(userId, null, null);
    const other = await sessions.create(userId, null, null);
    await sessions.revokeAllFor(userId, keep.id);
    expect(await sessions.resolve(keep.token)).not.toBeNull();
    expect(await sessions.resolve(other.token)).toBeNull();
    await sessions.revoke(keep.id);
    expect(await sessions.resolve(keep.token)).toBeNull();
  });

  it('should purge idle and expired sessions and keep live ones', async () => {
    const live = await sessions.create(userId, null, null);
    const idle = await sessions.create(userId, null, null);
    const expired = await sessions.create(userId, null, null);
    await age(idle.id, `last_seen_at = now() - make_interval(mins => ${IDLE_MINUTES + 1})`);
    await age(expired.id, `expires_at = now() - interval '1 second'`);
    await sessions.purgeExpired();
    const ids = (await ds.query('SELECT id FROM sessions')).map((r: { id: string }) => r.id);
    expect(ids).toContain(live.id);
    expect(ids).not.toContain(idle.id);
    expect(ids).not.toContain(expired.id);
  });

  it('should bind the CSRF token to its session and accept it only when header and cookie both carry it', () => {
    const a = sessions.xsrfFor('session-a');
    const b = sessions.xsrfFor('session-b');
    expect(a).toBe(sessions.xsrfFor('session-a'));
    expect(a).not.toBe(b);
    expect(sessions.xsrfValid('session-a', a, a)).toBe(true);
    expect(sessions.xsrfValid('session-a', b, b)).toBe(false);
    expect(sessions.xsrfValid('session-a', a, undefined)).toBe(false);
    expect(sessions.xsrfValid('session-a', undefined, a)).toBe(false);
    expect(sessions.xsrfValid('session-a', a, a + 'x')).toBe(false);
    expect(sessions.xsrfValid('session-a', 'forged', 'forged')).toBe(false);
  });

  it('should derive a different CSRF token under a different secret', () => {
    const other = new SessionsService(ds, loadConfig({ SYLVITE_SECRET: 't'.repeat(40), LOG_LEVEL: 'silent' }));
    expect(other.xsrfFor('session-a')).not.toBe(sessions.xsrfFor('session-a'));
  });
});
