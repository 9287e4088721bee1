import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { SESSION_COOKIE } from '@sylvite/contracts';
import { loadConfig } from '@sylvite/api-core';
import { dataSourceOptions } from '@sylvite/api-database';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { InvalidCredentialsError, PrincipalService } from './principal.service';
import { SessionsService, sha256 } from './sessions.service';

describe('PrincipalService (one statement per request, no stale grants)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sessions: SessionsService;
  let principals: PrincipalService;
  let userId: string;
  let roleId: string;
  let projectId: string;
  let statements: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, []));
    await ds.initialize();
    const config = loadConfig({ SYLVITE_SECRET: 's'.repeat(40), LOG_LEVEL: 'silent' });
    sessions = new SessionsService(ds, config);
    principals = new PrincipalService(ds, sessions);
    // A grant source as a module registers one: a subquery over the user `u`.
    principals.addGrantSource({
      sql: `SELECT array_agg('view:minion:' || p.slug || '-*') FROM project_memberships m JOIN projects p ON p.id = m.project_id
             WHERE m.user_id = u.id`,
      grants: (value) => (value as string[] | null) ?? [],
    });
    [{ id: userId }] = await ds.query(`INSERT INTO users (username, password_hash) VALUES ('pat', 'x') RETURNING id`);
    [{ id: roleId }] = await ds.query(`INSERT INTO roles (name, permissions) VALUES ('ops', '{view:job:*,run:job:*}') RETURNING id`);
    await ds.query('INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)', [userId, roleId]);
    [{ id: projectId }] = await ds.query(`INSERT INTO projects (slug, name) VALUES ('web', 'Web') RETURNING id`);
    await ds.query(`INSERT INTO project_memberships (project_id, user_id, role) VALUES ($1, $2, 'viewer')`, [projectId, userId]);
    const query = ds.query.bind(ds);
    jest.spyOn(ds, 'query').mockImplementation((sql: string, params?: unknown[]) => {
      statements.push(sql);
      return query(sql, params);
    });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => {
    statements = [];
  });

  const withCookie = (token: string) => ({ headers: {}, cookies: { [SESSION_COOKIE]: token } }) as unknown as Request;
  const withBearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, cookies: {} }) as unknown as Request;
  async function signedIn(): Promise<string> {
    const s = await sessions.create(userId, null, null);
    statements = [];
    return s.token;
  }
  async function token(permissions: string[]): Promise<{ token: string; id: string }> {
    const secret = `syl_test_${Math.random().toString(36).slice(2)}`;
    const [{ id }] = await ds.query(
      `INSERT INTO api_tokens (user_id, name, prefix, token_hash, permissions, expires_at)
       VALUES ($1, 't', 'test', $2, $3, now() + interval '1 day') RETURNING id`,
      [userId, sha256(secret), permissions],
    );
    statements = [];
    return { token: secret, id };
  }
  async function reset(): Promise<void> {
    await ds.query(`UPDATE users SET disabled = false WHERE id = $1`, [userId]);
    await ds.query(`UPDATE roles SET permissions = '{view:job:*,run:job:*}' WHERE id = $1`, [roleId]);
    await ds.query('INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, roleId]);
    await ds.query(`INSERT INTO project_memberships (project_id, user_id, role) VALUES ($1, $2, 'viewer') ON CONFLICT DO NOTHING`, [projectId, userId]);
  }
  afterEach(reset);

  it('should resolve a session, its user, the roles and every grant source in one statement', async () => {
    const cookie = await signedIn();
    const p = await principals.authenticate(withCookie(cookie));
    expect(p).toMatchObject({ userId, username: 'pat', via: 'session', sessionId: sha256(cookie), isAdmin: false });
    expect([...(p?.permissions ?? [])].sort()).toEqual(['run:job:*', 'view:job:*', 'view:minion:web-*']);
    expect(p?.sessionExpiresAt).toBeInstanceOf(Date);
    expect(statements).toHaveLength(1);
  });

  it('should touch a session seen over a minute ago with one more statement, and only then', async () => {
    const cookie = await signedIn();
    await ds.query(`UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE id = $1`, [sha256(cookie)]);
    statements = [];
    expect(await principals.authenticate(withCookie(cookie))).not.toBeNull();
    expect(statements).toHaveLength(2);
    statements = [];
    expect(await principals.authenticate(withCookie(cookie))).not.toBeNull();
    expect(statements).toHaveLength(1);
  });

  it('should apply a changed role, a removed membership, a disabled user and a revoked session on the very next request', async () => {
    const cookie = await signedIn();
    const perms = async () => [...((await principals.authenticate(withCookie(cookie)))?.permissions ?? [])].sort();
    expect(await perms()).toEqual(['run:job:*', 'view:job:*', 'view:minion:web-*']);
    await ds.query(`UPDATE roles SET permissions = '{view:job:*}' WHERE id = $1`, [roleId]);
    expect(await perms()).toEqual(['view:job:*', 'view:minion:web-*']);
    await ds.query('DELETE FROM project_memberships WHERE user_id = $1', [userId]);
    expect(await perms()).toEqual(['view:job:*']);
    await ds.query('DELETE FROM user_roles WHERE user_id = $1', [userId]);
    expect(await perms()).toEqual([]);
    await ds.query('UPDATE users SET disabled = true WHERE id = $1', [userId]);
    expect(await principals.authenticate(withCookie(cookie))).toBeNull();
    await ds.query('UPDATE users SET disabled = false WHERE id = $1', [userId]);
    expect(await principals.authenticate(withCookie(cookie))).not.toBeNull();
    await sessions.revoke(sha256(cookie));
    expect(await principals.authenticate(withCookie(cookie))).toBeNull();
  });

  it('should resolve an API token in one statement, narrowed to what its owner holds now', async () => {
    const t = await token(['view:job:*', 'run:job:*', 'view:minion:web-01', 'view:minion:db-01']);
    const p = await principals.authenticate(withBearer(t.token));
    expect(p).toMatchObject({ userId, username: 'pat', via: 'token', tokenId: t.id, isAdmin: false });
    expect(p?.permissions).toEqual(['view:job:*', 'run:job:*', 'view:minion:web-01']);
    // First use: the token was never used, so last_used_at is written (once).
    expect(statements).toHaveLength(2);
    statements = [];
    await principals.authenticate(withBearer(t.token));
    expect(statements).toHaveLength(1);
    const [{ last_used_at }] = await ds.query('SELECT last_used_at FROM api_tokens WHERE id = $1', [t.id]);
    expect(Date.now() - new Date(last_used_at).getTime()).toBeLessThan(10_000);

    await ds.query(`UPDATE roles SET permissions = '{view:job:*}' WHERE id = $1`, [roleId]);
    await ds.query('DELETE FROM project_memberships WHERE user_id = $1', [userId]);
    expect((await principals.authenticate(withBearer(t.token)))?.permissions).toEqual(['view:job:*']);
    await ds.query('UPDATE users SET disabled = true WHERE id = $1', [userId]);
    await expect(principals.authenticate(withBearer(t.token))).rejects.toBeInstanceOf(InvalidCredentialsError);
    await ds.query('UPDATE users SET disabled = false WHERE id = $1', [userId]);
    await ds.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [t.id]);
    await expect(principals.authenticate(withBearer(t.token))).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(principals.authenticate(withBearer('syl_nope'))).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('should give grantsFor the same union of roles and grant sources', async () => {
    const u = await principals.grantsFor(userId);
    expect(u).toMatchObject({ id: userId, username: 'pat', disabled: false });
    expect([...(u?.permissions ?? [])].sort()).toEqual(['run:job:*', 'view:job:*', 'view:minion:web-*']);
    expect(await principals.grantsFor('00000000-0000-0000-0000-000000000000')).toBeNull();
  });
});
