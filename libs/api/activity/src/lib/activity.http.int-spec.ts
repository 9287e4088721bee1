import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import type { ActivityEventDto, ActivityPage } from '@sylvite/contracts';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { SettingsStore } from '@sylvite/api-settings';
// The whole api in-process, as the lead's harness builds it (a test-only reach into the app).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp } from '../../../../../apps/api/src/app/test-app';
import { insertActivity } from './testing/fixtures';
import { createUser, login, type Session } from './testing/users';

const T0 = Date.parse('2024-03-01T08:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

describe('activity routes over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let ds: DataSource;
  let base: string;
  let viewer: Session;
  let webOnly: Session;
  let auditor: Session;
  let ids: string[];

  const get = async (path: string, s: Session | null) => {
    const res = await fetch(base + path, { headers: s ? { cookie: s.cookie } : {} });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // CSV and NDJSON stay text
    }
    return { status: res.status, headers: res.headers, body, text };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url, { SYLVITE_EVENT_STREAM: 'true' }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    ds = app.get(DataSource);
    await createUser(ds, 'viewer', ['view:job:*', 'view:key:*', 'view:minion:*']);
    await createUser(ds, 'webonly', ['view:job:web*']);
    await createUser(ds, 'auditor', ['view:audit:*']);
    viewer = await login(base, 'viewer');
    webOnly = await login(base, 'webonly');
    auditor = await login(base, 'auditor');
    ids = await insertActivity(ds, [
      { occurred_at: at(0), minion_id: 'web01', outcome: 'ok', summary: 'state.apply on web01: OK', fun: 'state.apply', raw: '{"tag":"t","data":{}}' },
      { occurred_at: at(1), minion_id: 'db01', outcome: 'failed', retcode: 1, summary: '=cmd|calc on db01', fun: 'cmd.run' },
      { occurred_at: at(2), category: 'key', event_type: 'key.accept', outcome: 'accepted', minion_id: 'web02', summary: 'Key of web02 accepted' },
    ]);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('GET /api/activity', () => {
    it('should answer 401 when no one is signed in', async () => {
      await expect(get('/api/activity', null)).resolves.toMatchObject({ status: 401 });
    });

    it('should answer 403 when the caller holds no category permission', async () => {
      const r = await get('/api/activity', auditor);
      expect(r.status).toBe(403);
      expect((r.body as { message: string }).message).toMatch(/view:job/);
    });

    it('should list the page with its cursors when the caller may view everything', async () => {
      const r = await get('/api/activity?limit=2', viewer);
      expect(r.status).toBe(200);
      const page = r.body as ActivityPage;
      expect(page.events.map((e) => e.id)).toEqual([ids[2], ids[1]]);
      expect(page).toMatchObject({ total: 3, total_is_estimate: false, next_before_cursor: `${at(1)}|${ids[1]}|3`, newest_cursor: `${at(2)}|${ids[2]}` });
    });

    it('should parse every query parameter when they are valid', async () => {
      const q = 'category=job&categories=job,key&minion_id=web01&event_type=job.ret&jid=&search=state&hide_routine=false&hide_dispatch=1'
        + `&since=${encodeURIComponent(at(0))}&until=${encodeURIComponent(at(60))}&limit=500&offset=0`;
      const r = await get(`/api/activity?${q}`, viewer);
      expect(r.status).toBe(200);
      expect((r.body as ActivityPage).events.map((e) => e.id)).toEqual([ids[0]]);
    });

    it('should narrow to the granted minions when the grant is view:job:web*', async () => {
      const r = await get('/api/activity', webOnly);
      expect((r.body as ActivityPage).events.map((e) => e.id)).toEqual([ids[0]]);
    });

    it.each([
      ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=ten', 'limit'], ['limit=1.5', 'limit'],
      ['offset=-1', 'offset'], ['since_minutes=0', 'since_minutes'], ['since_minutes=10081', 'since_minutes'],
      ['before_cursor=yesterday', 'before_cursor'], ['before_cursor=2024-13-01T00:00:00Z|1', 'before_cursor'],
      ['since_cursor=2024-03-01T08:00:00Z', 'since_cursor'], ['category=jobs', 'category'], ['categories=job,nope', 'categories'],
      ['categories=', 'categories'], ['event_type=job.done', 'event_type'], ['hide_routine=maybe', 'hide_routine'],
      ['hide_dispatch=', 'hide_dispatch'], ['since=last%20week', 'since'], ['until=03/01/2024', 'until'],
      ['search=' + 'x'.repeat(201), 'search'], ['limit=1&limit=2', 'limit'], ['search=a&q=b', 'q'], ['page=2', 'page'],
    ])('should answer 400 naming the parameter when the query is %s', async (query, param) => {
      const r = await get(`/api/activity?${query}`, viewer);
      expect(r.status).toBe(400);
      expect((r.body as { message: string }).message).toContain(param);
    });
  });

  describe('GET /api/activity/:id', () => {
    it('should return the row with its raw event when it is in scope', async () => {
      const r = await get(`/api/activity/${ids[0]}`, webOnly);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: ids[0], raw: '{"tag":"t","data":{}}', raw_size: 21, raw_truncated: false });
    });

    it('should answer 404 when the row is out of scope or unknown, and 400 when the id is not one', async () => {
      await expect(get(`/api/activity/${ids[1]}`, webOnly)).resolves.toMatchObject({ status: 404 });
      await expect(get('/api/activity/987654321', viewer)).resolves.toMatchObject({ status: 404 });
      await expect(get('/api/activity/12ab', viewer)).resolves.toMatchObject({ status: 400 });
    });
  });

  describe('GET /api/activity/widget-config', () => {
    it('should give the defaults to any signed-in user when nothing is stored', async () => {
      const r = await get('/api/activity/widget-config', auditor);
      expect(r).toMatchObject({
        status: 200,
        body: {
          widget_hide_dispatch: true, widget_hide_routine: false, widget_show_jobs: true, widget_show_keys: true,
          widget_show_minions: true, widget_event_count: 6, widget_heartbeat_minutes: 60,
        },
      });
    });

    it('should give the stored values when settings were saved', async () => {
      await app.get(SettingsStore).set('widget', { widget_event_count: 12, widget_hide_routine: true }, null);
      try {
        const r = await get('/api/activity/widget-config', viewer);
        expect(r.body).toMatchObject({ widget_event_count: 12, widget_hide_routine: true, widget_hide_dispatch: true });
      } finally {
        await app.get(SettingsStore).set('widget', {}, null);
      }
    });

    it('should answer 401 when no one is signed in', async () => {
      await expect(get('/api/activity/widget-config', null)).resolves.toMatchObject({ status: 401 });
    });
  });

  describe('GET /api/activity/export', () => {
    it('should stream CSV newest first with formula cells guarded and a file name with the range', async () => {
      const r = await get(`/api/activity/export?format=csv&since=${encodeURIComponent(at(0))}&until=${encodeURIComponent(at(60))}`, viewer);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(r.headers.get('content-disposition')).toBe('attachment; filename="sylvite-activity_20240301T080000Z_20240301T080100Z.csv"');
      const lines = r.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe('id,occurred_at,received_at,category,event_type,outcome,minion_id,jid,fun,initiator,target,target_type,retcode,duration_ms,summary');
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([ids[2], ids[1], ids[0]]);
      expect(lines[2].endsWith(",'=cmd|calc on db01")).toBe(true);
    });

    it('should stream NDJSON in the list shape and only the caller scope when the grant is narrow', async () => {
      const r = await get('/api/activity/export?format=ndjson', webOnly);
      expect(r.status).toBe(200);
      const rows = r.text.trim().split('\n').map((l) => JSON.parse(l) as ActivityEventDto);
      expect(rows.map((e) => e.id)).toEqual([ids[0]]);
      expect(Object.keys(rows[0])).toHaveLength(15);
    });

    it('should record the export in the audit log when it ran', async () => {
      await get('/api/activity/export?format=csv&category=key', viewer);
      const read = async (): Promise<{ decision: string; result_code: number | null; resource: string }[]> =>
        ds.query(`SELECT decision, result_code, resource FROM audit_log WHERE action = 'activity.export' AND args_json->'query'->>'category' = 'key'`);
      // The row is written before the first byte and completed just after the last.
      for (let i = 0; i < 40 && (await read())[0]?.result_code == null; i++) await new Promise((r) => setTimeout(r, 50));
      await expect(read()).resolves.toEqual([{ decision: 'allow', result_code: 200, resource: 'activity:*' }]);
    });

    it('should answer 400 naming the parameter when the format is unknown', async () => {
      const r = await get('/api/activity/export?format=xlsx', viewer);
      expect(r.status).toBe(400);
      expect((r.body as { message: string }).message).toContain('format');
    });
  });
});
