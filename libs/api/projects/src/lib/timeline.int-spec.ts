import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProjectAuditPage, ProjectDto, TimelinePage } from '@sylvite/contracts';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { ADMIN, Browser, createUsers, startApp } from './test-app';

const DETAIL = 'activity feed rate limit exceeded (60/min per user)';
const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

interface Seed {
  sec: number;
  project?: 'alpha' | 'beta' | 'gamma';
  user?: string | null;
  action: string;
  resource?: string;
  ip?: string;
  decision?: 'allow' | 'deny';
  code?: number;
  args?: unknown;
}

describe('GET /api/v1/activity and the per-project audit', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let ds: DataSource;
  let admin: Browser;
  let users: Record<string, Browser>;
  let ids: Record<string, string>;
  let projects: Record<string, string>;
  /** Seeded row ids by label. */
  const rows: Record<string, string> = {};

  const seed = async (label: string, s: Seed) => {
    const res: { id: string }[] = await ds.query(
      `INSERT INTO audit_log (at, user_id, action, resource, args_json, decision, result_code, source_ip, user_agent, project_ids)
       VALUES (date_trunc('second', now()) - interval '1 hour' + make_interval(secs => $1), $2, $3, $4, $5, $6, $7, $8, 'seed-agent', $9::uuid[])
       RETURNING id::text AS id`,
      [
        s.sec, s.user === undefined ? null : s.user, s.action, s.resource ?? '*', s.args === undefined ? null : JSON.stringify(s.args),
        s.decision ?? 'allow', s.code ?? 200, s.ip ?? '192.0.2.1', s.project ? [projects[s.project]] : [],
      ],
    );
    rows[label] = res[0].id;
  };

  const feed = async (who: Browser, query: Record<string, string | number> = {}) => {
    const res = await who.get('/api/v1/activity').query(query);
    if (res.status !== 200) throw new Error(`timeline: ${res.status} ${res.text}`);
    return res.body as TimelinePage;
  };
  const idsOf = (p: TimelinePage) => p.items.map((i) => i.id);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startApp(db.url);
    ds = app.get(DataSource);
    admin = await Browser.signIn(app.getHttpServer(), ADMIN.username, ADMIN.password);
    ids = await createUsers(admin, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    ids['admin'] = admin.userId;
    projects = {};
    for (const [slug, pattern] of [['alpha', 'web*'], ['beta', 'db*'], ['gamma', 'mail*']]) {
      const res = await admin.post('/api/projects', { slug, name: slug, minion_patterns: [pattern] });
      projects[slug] = (res.body as ProjectDto).id;
    }
    for (const [slug, username, role] of [
      ['alpha', 'alice', 'viewer'], ['beta', 'bob', 'operator'], ['alpha', 'dave', 'admin'], ['alpha', 'erin', 'viewer'], ['alpha', 'frank', 'viewer'],
    ]) {
      const res = await admin.post(`/api/projects/${slug}/members`, { username, role });
      if (res.status !== 201) throw new Error(res.text);
    }
    users = {};
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) users[u] = await Browser.signIn(app.getHttpServer(), u);

    await seed('a0', { sec: 0, project: 'alpha', user: ids['dave'], action: 'task.failed', resource: 'minion:web01', ip: '10.0.0.5', args: { task_name: 'send_invoices' } });
    await seed('a1', { sec: 1, project: 'alpha', user: ids['dave'], action: 'task.done', resource: 'minion:web02' });
    await seed('a2', { sec: 2, project: 'alpha', user: ids['dave'], action: 'key.accept', resource: 'key:web03' });
    await seed('b3', { sec: 3, project: 'beta', user: ids['bob'], action: 'task.failed', resource: 'minion:db01' });
    await seed('g4', { sec: 4, project: 'gamma', user: ids['admin'], action: 'task.failed', resource: 'minion:mail01' });
    await seed('f5', { sec: 5, user: ids['alice'], action: 'auth.login', resource: 'user:alice', ip: '10.0.0.9' });
    await seed('f6', { sec: 6, user: ids['bob'], action: 'auth.login', resource: 'user:bob' });
    await seed('f7', { sec: 7, user: ids['admin'], action: 'settings.salt.update', resource: 'settings:salt' });
    await seed('f8', { sec: 8, user: null, action: 'auth.setup', resource: 'user:admin' });
    await seed('x9', { sec: 9, project: 'alpha', user: ids['dave'], action: 'x%y.literal' });
    await seed('x10', { sec: 10, project: 'alpha', user: ids['dave'], action: 'xay.other' });
    await seed('x11', { sec: 11, project: 'alpha', user: ids['dave'], action: 'x_z.literal' });
    await seed('x12', { sec: 12, project: 'alpha', user: ids['dave'], action: 'xbz.other' });
    await seed('d13', { sec: 13, project: 'alpha', user: ids['alice'], action: 'salt.run', resource: 'minion:web01', decision: 'deny', code: 403 });
    // Six rows to page through, two pairs sharing a timestamp: the id breaks the tie.
    for (const [i, sec] of [20, 21, 22, 22, 23, 24].entries()) await seed(`p${i}`, { sec, project: 'alpha', user: ids['dave'], action: `pg.${i}` });
  });

  // Every caller has 60 requests a minute; tests other than the rate-limit ones start afresh.
  beforeEach(async () => {
    await ds.query(`DELETE FROM rate_limit_buckets WHERE key LIKE 'timeline:%' AND key NOT IN ($1, $2)`, [`timeline:${ids['erin']}`, `timeline:${ids['frank']}`]);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('scope', () => {
    it('should show a member only their projects rows and their own fleet-wide rows', async () => {
      const page = await feed(users['alice'], { limit: 200 });
      for (const item of page.items) {
        const ok = item.project_slug === 'alpha' || (item.project_id === null && item.user_id === ids['alice']);
        expect(ok ? 'visible' : `leaked ${item.action} ${item.project_slug} ${item.user_id}`).toBe('visible');
      }
      const seen = idsOf(page);
      expect(seen).toEqual(expect.arrayContaining([rows['a0'], rows['a1'], rows['a2'], rows['f5'], rows['d13']]));
      for (const other of ['b3', 'g4', 'f6', 'f7', 'f8']) expect(seen).not.toContain(rows[other]);
    });

    it('should answer an empty page with null cursors when the caller has no membership', async () => {
      const res = await users['carol'].get('/api/v1/activity');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [], next_before_cursor: null, newest_cursor: null });
    });

    it('should show an admin every row, fleet-wide ones included', async () => {
      const seen = idsOf(await feed(admin, { limit: 200 }));
      for (const label of ['a0', 'b3', 'g4', 'f5', 'f6', 'f7', 'f8', 'd13']) expect(seen).toContain(rows[label]);
    });

    it('should shape each item as the contract says', async () => {
      const page = await feed(users['alice'], { limit: 200 });
      const item = page.items.find((i) => i.id === rows['a0']);
      expect(item).toEqual({
        id: rows['a0'], project_id: projects['alpha'], project_slug: 'alpha', user_id: ids['dave'], action: 'task.failed',
        target_type: 'minion', target_id: 'web01', result: 'success', outcome: 'allow', metadata: { task_name: 'send_invoices' },
        source_ip: null, occurred_at: expect.stringMatching(ISO_MICROS),
      });
      expect(page.items.find((i) => i.id === rows['d13'])).toMatchObject({ result: 'failure', outcome: 'deny' });
    });

    it('should order newest first with the id breaking ties', async () => {
      const page = await feed(admin, { limit: 200 });
      const keys = page.items.map((i) => [Date.parse(i.occurred_at.replace('+00:00', 'Z')), i.occurred_at, BigInt(i.id)] as const);
      for (let k = 1; k < keys.length; k++) {
        const [, atA, idA] = keys[k - 1];
        const [, atB, idB] = keys[k];
        expect(atA > atB || (atA === atB && idA > idB)).toBe(true);
      }
    });
  });

  describe('source_ip', () => {
    it('should be null for a non-admin, even on their own rows, and shown to an admin', async () => {
      const mine = await feed(users['alice'], { limit: 200 });
      expect(mine.items.find((i) => i.id === rows['f5'])?.source_ip).toBeNull();
      expect(mine.items.every((i) => i.source_ip === null)).toBe(true);
      const all = await feed(admin, { limit: 200 });
      expect(all.items.find((i) => i.id === rows['a0'])?.source_ip).toBe('10.0.0.5');
      expect(all.items.find((i) => i.id === rows['f5'])?.source_ip).toBe('10.0.0.9');
    });
  });

  describe('filters', () => {
    it('should keep only actions starting with the prefix', async () => {
      expect(idsOf(await feed(users['alice'], { action_prefix: 'task.' }))).toEqual([rows['a1'], rows['a0']]);
      expect(idsOf(await feed(admin, { action_prefix: 'task.' })).slice(0, 4)).toEqual([rows['g4'], rows['b3'], rows['a1'], rows['a0']]);
    });

    it('should treat % and _ as literal characters when given in the prefix', async () => {
      expect(idsOf(await feed(users['alice'], { action_prefix: 'x%' }))).toEqual([rows['x9']]);
      expect(idsOf(await feed(users['alice'], { action_prefix: 'x_' }))).toEqual([rows['x11']]);
      expect(idsOf(await feed(admin, { action_prefix: 'x%y' }))).toEqual([rows['x9']]);
    });

    it('should constrain to one project, fleet-wide rows excluded, when project_slug is given', async () => {
      const page = await feed(users['alice'], { project_slug: 'alpha', limit: 200 });
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((i) => i.project_slug === 'alpha')).toBe(true);
      expect(idsOf(await feed(admin, { project_slug: 'beta' }))).toEqual([rows['b3']]);
    });

    it('should answer an empty page, never 403, when the slug is unknown or not the caller project', async () => {
      const empty = { items: [], next_before_cursor: null, newest_cursor: null };
      expect(await feed(users['alice'], { project_slug: 'beta' })).toEqual(empty);
      expect(await feed(users['alice'], { project_slug: 'no-such-project' })).toEqual(empty);
      expect(await feed(users['alice'], { project_slug: 'Not A Slug%' })).toEqual(empty);
      expect(await feed(admin, { project_slug: 'no-such-project' })).toEqual(empty);
    });
  });

  describe('pagination', () => {
    const pg = ['p5', 'p4', 'p3', 'p2', 'p1', 'p0'];

    it('should give a cursor on a full page and walk every row once with before_cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: TimelinePage = await feed(users['alice'], { action_prefix: 'pg.', limit: 2, ...(cursor ? { before_cursor: cursor } : {}) });
        if (page.items.length === 2) expect(page.next_before_cursor).not.toBeNull();
        seen.push(...idsOf(page));
        cursor = page.next_before_cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(pg.map((l) => rows[l]));
      const first = await feed(users['alice'], { action_prefix: 'pg.', limit: 2 });
      expect(first.newest_cursor).toBe(`${first.items[0].occurred_at}|${first.items[0].id}`);
      expect((await feed(users['alice'], { action_prefix: 'pg.', limit: 50 })).next_before_cursor).toBeNull();
    });

    it('should return exactly the newer rows, oldest page first, when since_cursor is given', async () => {
      const all = await feed(users['alice'], { action_prefix: 'pg.', limit: 50 });
      const p1 = all.items.find((i) => i.id === rows['p1']);
      if (!p1) throw new Error('p1 missing');
      const cursor = `${p1.occurred_at}|${p1.id}`;
      expect(idsOf(await feed(users['alice'], { action_prefix: 'pg.', since_cursor: cursor }))).toEqual(['p5', 'p4', 'p3', 'p2'].map((l) => rows[l]));

      const a = await feed(users['alice'], { action_prefix: 'pg.', since_cursor: cursor, limit: 2 });
      expect(idsOf(a)).toEqual([rows['p3'], rows['p2']]);
      expect(a.next_before_cursor).toBeNull();
      const b = await feed(users['alice'], { action_prefix: 'pg.', since_cursor: a.newest_cursor ?? '', limit: 2 });
      expect(idsOf(b)).toEqual([rows['p5'], rows['p4']]);
      const c = await feed(users['alice'], { action_prefix: 'pg.', since_cursor: b.newest_cursor ?? '', limit: 2 });
      expect(c.items).toEqual([]);
      expect(c.newest_cursor).toBe(b.newest_cursor);
    });

    it.each(['since_cursor', 'before_cursor'])('should answer 400 "malformed cursor" when %s is malformed', async (name) => {
      for (const bad of ['garbage', '2026-05-12T12:00:00Z', '2026-05-12T12:00:00Z|x1', '|1']) {
        const res = await users['alice'].get('/api/v1/activity').query({ [name]: bad });
        expect(res.status).toBe(400);
        expect((res.body as { detail: string }).detail).toBe('malformed cursor');
      }
    });

    it.each([['0'], ['201'], ['-5'], ['ten']])('should answer 400 when limit is %s', async (limit) => {
      const res = await users['alice'].get('/api/v1/activity').query({ limit });
      expect(res.status).toBe(400);
      expect((res.body as { message: string }).message).toMatch(/^limit: /);
    });

    it('should accept the limit bounds 1 and 200', async () => {
      expect((await feed(admin, { limit: 1 })).items).toHaveLength(1);
      expect((await users['alice'].get('/api/v1/activity').query({ limit: 200 })).status).toBe(200);
    });

    it('should answer 401 when nobody is signed in', async () => {
      expect((await admin.get('/api/v1/activity').set('Cookie', '')).status).toBe(401);
    });
  });

  describe('read-only', () => {
    it('should write nothing but its rate-limit counter when read', async () => {
      const count = async () => (await ds.query(`SELECT (SELECT count(*) FROM audit_log)::int AS a, (SELECT count(*) FROM projects)::int AS p,
        (SELECT count(*) FROM project_memberships)::int AS m`))[0] as { a: number; p: number; m: number };
      await new Promise((r) => setTimeout(r, 250));
      const before = await count();
      for (let i = 0; i < 5; i++) await feed(users['alice'], { limit: 10 });
      await new Promise((r) => setTimeout(r, 250));
      expect(await count()).toEqual(before);
      const hits: { hits: number }[] = await ds.query('SELECT hits FROM rate_limit_buckets WHERE key = $1', [`timeline:${ids['alice']}`]);
      expect(hits.reduce((n, h) => n + h.hits, 0)).toBe(5);
    });
  });

  describe('per-project audit', () => {
    const audit = (who: Browser, slug: string, query: Record<string, string | number> = {}) =>
      who.get(`/api/v1/projects/${slug}/audit`).query(query);

    it('should show a project admin the project rows with source_ip and user_agent', async () => {
      const res = await audit(users['dave'], 'alpha', { limit: 200 });
      expect(res.status).toBe(200);
      const page = res.body as ProjectAuditPage;
      expect(page.items.every((i) => i.project_slug === 'alpha')).toBe(true);
      expect(page.items.find((i) => i.id === rows['a0'])).toMatchObject({ source_ip: '10.0.0.5', user_agent: 'seed-agent', username: 'dave', result_code: 200 });
      expect(page.items.map((i) => i.id)).not.toContain(rows['f5']);
    });

    it('should let a global admin read any project audit', async () => {
      const res = await audit(admin, 'beta');
      expect(res.status).toBe(200);
      expect((res.body as ProjectAuditPage).items.map((i) => i.id)).toEqual([rows['b3']]);
    });

    it('should answer 403 when the caller is a member below admin', async () => {
      expect((await audit(users['alice'], 'alpha')).status).toBe(403);
      expect((await audit(users['bob'], 'beta')).status).toBe(403);
    });

    it('should answer the same 404 whether the project is unknown or the caller is not a member', async () => {
      const foreign = await audit(users['bob'], 'alpha');
      const unknown = await audit(users['bob'], 'zeta');
      expect(foreign.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect((foreign.body as { message: string }).message.replace('alpha', 'X')).toBe((unknown.body as { message: string }).message.replace('zeta', 'X'));
      expect((await audit(users['carol'], 'alpha')).status).toBe(404);
    });

    it('should filter by outcome, user, action prefix and time when asked', async () => {
      const ids1 = async (q: Record<string, string | number>) => ((await audit(users['dave'], 'alpha', { limit: 200, ...q })).body as ProjectAuditPage).items.map((i) => i.id);
      expect(await ids1({ outcome: 'deny' })).toEqual([rows['d13']]);
      expect(await ids1({ user_id: ids['alice'] })).toEqual([rows['d13']]);
      expect(await ids1({ action_prefix: 'task.' })).toEqual([rows['a1'], rows['a0']]);
      const all = (await audit(users['dave'], 'alpha', { action_prefix: 'task.' })).body as ProjectAuditPage;
      const a1 = all.items[0].occurred_at;
      expect(await ids1({ action_prefix: 'task.', since: a1.replace('+00:00', 'Z') })).toEqual([rows['a1']]);
      expect(await ids1({ action_prefix: 'task.', until: a1.replace('+00:00', 'Z') })).toEqual([rows['a0']]);
    });

    it('should page with cursors when the page is full', async () => {
      const first = (await audit(users['dave'], 'alpha', { action_prefix: 'pg.', limit: 4 })).body as ProjectAuditPage;
      expect(first.items.map((i) => i.id)).toEqual(['p5', 'p4', 'p3', 'p2'].map((l) => rows[l]));
      const next = (await audit(users['dave'], 'alpha', { action_prefix: 'pg.', limit: 4, before_cursor: first.next_before_cursor ?? '' })).body as ProjectAuditPage;
      expect(next.items.map((i) => i.id)).toEqual([rows['p1'], rows['p0']]);
      expect(next.next_before_cursor).toBeNull();
    });

    it('should answer 400 when a filter is malformed', async () => {
      expect((await audit(users['dave'], 'alpha', { outcome: 'perhaps' })).status).toBe(400);
      expect((await audit(users['dave'], 'alpha', { since_cursor: 'x' })).status).toBe(400);
      expect((await audit(users['dave'], 'alpha', { limit: 0 })).status).toBe(400);
    });
  });

  describe('rate limit', () => {
    /** The counter's windows are aligned minutes: start with room left so 61 requests share one. */
    const freshWindow = async () => {
      const [{ s }]: { s: number }[] = await ds.query(`SELECT mod(extract(epoch FROM clock_timestamp()), 60)::float8 AS s`);
      if (s > 45) await new Promise((r) => setTimeout(r, (60 - s + 0.5) * 1000));
    };

    it('should answer the 61st request in a minute with 429, Retry-After: 60 and the detail', async () => {
      await freshWindow();
      for (let i = 1; i <= 60; i++) {
        const res = await users['erin'].get('/api/v1/activity').query({ limit: 1 });
        expect(res.status).toBe(200);
      }
      const res = await users['erin'].get('/api/v1/activity').query({ limit: 1 });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('60');
      expect((res.body as { detail: string }).detail).toBe(DETAIL);
      // Another user is unaffected.
      expect((await users['alice'].get('/api/v1/activity').query({ limit: 1 })).status).toBe(200);
    }, 60_000);

    it('should share the window across two api instances on one database', async () => {
      const second = await startApp(db.url);
      try {
        const elsewhere = await Browser.signIn(second.getHttpServer(), 'frank');
        await freshWindow();
        for (let i = 1; i <= 60; i++) {
          const via = i % 2 ? users['frank'] : elsewhere;
          expect((await via.get('/api/v1/activity').query({ limit: 1 })).status).toBe(200);
        }
        const here = await users['frank'].get('/api/v1/activity');
        const there = await elsewhere.get('/api/v1/activity');
        expect([here.status, there.status]).toEqual([429, 429]);
        expect((there.body as { detail: string }).detail).toBe(DETAIL);
        expect(there.headers['retry-after']).toBe('60');
      } finally {
        await second.close();
      }
    }, 60_000);
  });
});
