import { ApiClient } from '../support/client';
import { AuditDb } from '../support/audit-db';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const DETAIL = 'activity feed rate limit exceeded (60/min per user)';

interface Page {
  items: { project_slug: string | null; user_id: string | null; source_ip: string | null }[];
  next_before_cursor: string | null;
  newest_cursor: string | null;
}

/** The timeline's limit is one window per user across every replica on the database. */
describe('the timeline on two api processes sharing one database', () => {
  let one: Api;
  let two: Api;
  let viaOne: ApiClient;
  let viaTwo: ApiClient;
  let pollerId: string;

  beforeAll(async () => {
    one = await startApi();
    if (!one.db) throw new Error('expected a database');
    two = await startApi({ reuse: one.db });
    const admin = await ApiClient.signedIn(one.url, 'admin', ADMIN_PASSWORD);
    const user = await admin.post<{ id: string }>('/api/users', { username: 'poller', password: 'poller-password-1', roles: [] });
    pollerId = user.body.id;
    expect((await admin.post('/api/projects', { slug: 'alpha', name: 'Alpha', minion_patterns: ['web*'] })).status).toBe(201);
    expect((await admin.post('/api/projects/alpha/members', { username: 'poller', role: 'viewer' })).status).toBe(201);
    viaOne = await ApiClient.signedIn(one.url, 'poller', 'poller-password-1');
    viaTwo = await ApiClient.signedIn(two.url, 'poller', 'poller-password-1');
  }, 120_000);

  afterAll(async () => {
    await two?.stop();
    await one?.stop();
    await one?.db?.drop();
  });

  it('should show a member their project rows and own fleet-wide rows, source_ip hidden, from either process', async () => {
    for (const c of [viaOne, viaTwo]) {
      const r = await c.get<Page>('/api/v1/activity?limit=200');
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeGreaterThan(0);
      expect(r.body.items.every((i) => i.project_slug === 'alpha' || (i.project_slug === null && i.user_id === pollerId))).toBe(true);
      expect(r.body.items.every((i) => i.source_ip === null)).toBe(true);
    }
  });

  it('should refuse the 61st request of a minute with 429 on both processes', async () => {
    // Windows are aligned minutes: start with room for every request in one, on a clean counter.
    const intoMinute = (Date.now() / 1000) % 60;
    if (intoMinute > 40) await new Promise((r) => setTimeout(r, (61 - intoMinute) * 1000));
    const db = await AuditDb.connect(one);
    try {
      await db.query('DELETE FROM rate_limit_buckets WHERE key = $1', [`timeline:${pollerId}`]);
    } finally {
      await db.close();
    }
    for (let i = 1; i <= 60; i++) {
      const r = await (i % 2 ? viaOne : viaTwo).get('/api/v1/activity?limit=1');
      expect(r.status).toBe(200);
    }
    const here = await viaOne.get<{ detail: string }>('/api/v1/activity?limit=1');
    const there = await viaTwo.get<{ detail: string }>('/api/v1/activity?limit=1');
    expect([here.status, there.status]).toEqual([429, 429]);
    for (const r of [here, there]) {
      expect(r.headers.get('retry-after')).toBe('60');
      expect(r.body.detail).toBe(DETAIL);
    }
  }, 90_000);
});
