import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import type { ActivityEventDto } from '@sylvite/contracts';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { ActivityBus } from '@sylvite/api-salt-stream';
import { SettingsStore } from '@sylvite/api-settings';
// The whole api in-process, as the lead's harness builds it (a test-only reach into the app).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp } from '../../../../../../apps/api/src/app/test-app';
import { ActivityRepository } from '../activity.repository';
import { insertActivity, type FixtureRow } from '../testing/fixtures';
import { SseClient } from '../testing/sse';
import { createUser, login, setPermissions, type Session } from '../testing/users';
import { ActivityStreamHub } from './activity-stream.service';

let clock = Date.parse('2024-05-01T00:00:00.000Z');
const next = () => new Date((clock += 1000)).toISOString();
const row = (over: Partial<FixtureRow> = {}): FixtureRow => ({ occurred_at: next(), ...over });

async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

describe('GET /api/activity/stream over a real socket', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let ds: DataSource;
  let base: string;
  let bus: ActivityBus;
  let repo: ActivityRepository;
  let hub: ActivityStreamHub;
  let viewer: Session;
  let webOnly: Session;
  let auditor: Session;
  const open: SseClient[] = [];

  const stream = async (s: Session | null, query = '', headers: Record<string, string> = {}) => {
    const c = await SseClient.open(base, `/api/activity/stream${query}`, { ...(s ? { cookie: s.cookie } : {}), ...headers });
    open.push(c);
    return c;
  };
  const jsonOf = async (c: SseClient) => {
    await c.closed();
    return JSON.parse(c.raw) as { statusCode: number; message: string };
  };

  /** What the writer does: commit, then publish the committed rows (with the dispatches' minions). */
  const commit = async (rows: FixtureRow[], publish = true): Promise<string[]> => {
    const before = await repo.maxId();
    const ids = await insertActivity(ds, rows);
    if (publish) {
      const { rows: dtos, minions } = await repo.between(before, ids[ids.length - 1], 10_000);
      bus.publish(dtos, minions);
    }
    return ids;
  };
  const rowsOf = async (ids: string[]) => (await repo.between(String(BigInt(ids[0]) - 1n), ids[ids.length - 1], 10_000));

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url, { SYLVITE_EVENT_STREAM: 'true', SYLVITE_STREAMS_PER_USER: '3' }));
    base = await listen(app);
    ds = app.get(DataSource);
    bus = app.get(ActivityBus);
    repo = app.get(ActivityRepository);
    hub = app.get(ActivityStreamHub);
    hub.configure({ watchMs: 150, grantsEvery: 2 });
    await createUser(ds, 'viewer', ['view:job:*', 'view:key:*', 'view:minion:*']);
    await createUser(ds, 'webonly', ['view:job:web*']);
    await createUser(ds, 'auditor', ['view:audit:*']);
    viewer = await login(base, 'viewer');
    webOnly = await login(base, 'webonly');
    auditor = await login(base, 'auditor');
  });

  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('refusals, in the contract order', () => {
    it('should answer 401 when there is no session', async () => {
      await expect(stream(null).then((c) => c.status)).resolves.toBe(401);
    });

    it('should answer 403 when the caller holds no category permission', async () => {
      const c = await stream(auditor);
      expect(c.status).toBe(403);
      await expect(jsonOf(c)).resolves.toMatchObject({ statusCode: 403 });
    });

    it('should answer 503 before 403 when the event stream is disabled in Settings', async () => {
      const settings = app.get(SettingsStore);
      await settings.set('stream', { enabled: false }, null);
      try {
        await expect(stream(viewer).then(jsonOf)).resolves.toMatchObject({ statusCode: 503, message: 'the event stream is disabled in Settings' });
        await expect(stream(auditor).then((c) => c.status)).resolves.toBe(503);
        await expect(stream(null).then((c) => c.status)).resolves.toBe(401);
      } finally {
        await settings.set('stream', { enabled: true }, null);
      }
    });

    it('should answer 400 naming the parameter when the resume id or a filter is malformed', async () => {
      await expect(stream(viewer, '', { 'Last-Event-ID': 'abc' }).then(jsonOf)).resolves.toMatchObject({ statusCode: 400, message: 'Last-Event-ID: must be a row id' });
      await expect(stream(viewer, '?since_id=-4').then(jsonOf)).resolves.toMatchObject({ statusCode: 400, message: 'since_id: must be a row id' });
      await expect(stream(viewer, '?category=jobs').then(jsonOf)).resolves.toMatchObject({ statusCode: 400 });
    });

    it('should answer 429 when the user already holds the maximum number of streams', async () => {
      const held = [await stream(viewer), await stream(viewer), await stream(viewer)];
      expect(held.map((c) => c.status)).toEqual([200, 200, 200]);
      const refused = await stream(viewer);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('5');
      held[0].close();
      await held[0].closed();
      await waitUntil(() => hub.clientCount === 2, 'the closed stream to be released');
      await expect(stream(viewer).then((c) => c.status)).resolves.toBe(200);
    });
  });

  it('should send SSE headers, the retry hint and the Salt stream status when a client connects', async () => {
    const c = await stream(viewer);
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(c.headers['cache-control']).toBe('no-cache');
    expect(c.headers['x-accel-buffering']).toBe('no');
    await c.waitFor(() => c.frames.find((f) => f.event === 'status'), 'a status frame');
    expect(c.raw.startsWith('retry: 3000\n\nevent: status\ndata: {"state":')).toBe(true);
    bus.status.next({ ...bus.status.value, state: 'connected', last_event_at: '2024-05-01T00:00:00.000Z' });
    const status = await c.waitFor(() => c.frames.filter((f) => f.event === 'status')[1], 'a second status frame');
    expect(JSON.parse(status.data ?? '')).toMatchObject({ state: 'connected', last_event_at: '2024-05-01T00:00:00.000Z' });
    expect(status.id).toBeUndefined();
  });

  it('should send a heartbeat comment when the interval passes', async () => {
    hub.configure({ heartbeatMs: 100 });
    try {
      const c = await stream(viewer);
      await expect(c.waitFor(() => c.frames.find((f) => f.comment === 'heartbeat'), 'a heartbeat')).resolves.toEqual({ comment: 'heartbeat' });
    } finally {
      hub.configure({ heartbeatMs: 15_000 });
    }
  });

  it('should deliver live rows in id order with the row id and the list shape when they are published', async () => {
    const c = await stream(viewer);
    await c.waitFor(() => c.frames.length >= 1, 'the first frames');
    const ids = await commit([row({ minion_id: 'web01' }), row({ minion_id: 'db01', outcome: 'failed', retcode: 1 }), row({ category: 'key', event_type: 'key.pend', outcome: 'pending', minion_id: 'web09' })]);
    await c.waitFor(() => c.activityIds.length === 3, 'three rows');
    expect(c.activityIds).toEqual(ids);
    const first = c.frames.find((f) => f.event === 'activity');
    const data = JSON.parse(first?.data ?? '') as ActivityEventDto;
    expect(data).toEqual((await rowsOf([ids[0]])).rows[0]);
  });

  it('should apply the filters and the scope on the server when they are given', async () => {
    const jobsNoRoutine = await stream(viewer, '?category=job&hide_routine=true&hide_dispatch=false');
    const searching = await stream(viewer, '?search=DB07&categories=job,key');
    const web = await stream(webOnly);
    await Promise.all([jobsNoRoutine, searching, web].map((c) => c.waitFor(() => c.frames.length >= 1, 'status')));
    const ids = await commit([
      row({ minion_id: 'web07', outcome: 'ok' }),
      row({ minion_id: 'db07', outcome: 'failed', retcode: 2, summary: 'cmd.run on db07 failed' }),
      row({ category: 'key', event_type: 'key.accept', outcome: 'accepted', minion_id: 'web08', summary: 'Key of web08 accepted' }),
      row({ minion_id: 'web08', outcome: 'changes' }),
      row({ event_type: 'job.new', minion_id: null, target: '*', minions: ['db07', 'web09'], summary: 'state.apply dispatched to *' }),
      row({ category: 'minion', event_type: 'minion.start', outcome: 'online', minion_id: 'db07', summary: 'db07 came online' }),
    ]);
    const marker = await commit([row({ minion_id: 'web-marker', outcome: 'failed', retcode: 1, summary: 'marker db07 web' })]);
    for (const c of [jobsNoRoutine, searching, web]) await c.waitFor(() => c.activityIds.includes(marker[0]), 'the marker row');
    expect(jobsNoRoutine.activityIds).toEqual([ids[1], ids[3], ids[4], marker[0]]);
    expect(searching.activityIds).toEqual([ids[1], marker[0]]);
    expect(web.activityIds).toEqual([ids[0], ids[3], ids[4], marker[0]]);
  });

  it('should replay what was missed after Last-Event-ID, then live rows, when a client resumes', async () => {
    const missed = await commit([row(), row(), row(), row()], false);
    const c = await stream(viewer, '', { 'Last-Event-ID': missed[1] });
    await c.waitFor(() => c.activityIds.length === 2, 'the two missed rows');
    const live = await commit([row()]);
    await c.waitFor(() => c.activityIds.length === 3, 'the live row');
    expect(c.activityIds).toEqual([missed[2], missed[3], live[0]]);
  });

  it('should resume from ?since_id when the header cannot be sent', async () => {
    const missed = await commit([row(), row()], false);
    const c = await stream(viewer, `?since_id=${missed[0]}&category=job`);
    await c.waitFor(() => c.activityIds.length === 1, 'the missed row');
    expect(c.activityIds).toEqual([missed[1]]);
  });

  it('should leave no gap and no duplicate when rows are committed and published while the catch-up runs', async () => {
    const missed = await commit([row(), row(), row()], false);
    const real = repo.afterId.bind(repo);
    const during: string[] = [];
    const spy = jest.spyOn(repo, 'afterId').mockImplementationOnce(async (criteria, afterId, limit) => {
      // Committed and published before the catch-up query reads: in both the query and the live buffer.
      during.push(...(await commit([row(), row()])));
      const result = await real(criteria, afterId, limit);
      // Committed after the query read: only the live buffer has these.
      during.push(...(await commit([row(), row()])));
      return result;
    });
    try {
      const c = await stream(viewer, '', { 'Last-Event-ID': missed[0] });
      await c.waitFor(() => c.activityIds.length >= 6, 'the missed and concurrent rows');
      const after = await commit([row()]);
      await c.waitFor(() => c.activityIds.includes(after[0]), 'the next live row');
      expect(c.activityIds).toEqual([missed[1], missed[2], ...during, after[0]]);
    } finally {
      spy.mockRestore();
    }
  });

  it('should cut off a client that stops reading without slowing the others', async () => {
    const slow = await stream(viewer, '?minion_id=bulk01');
    const fast = await stream(viewer, '?minion_id=bulk01');
    await Promise.all([slow, fast].map((c) => c.waitFor(() => c.frames.length >= 1, 'status')));
    slow.response?.pause();
    const before = hub.clientCount;
    const template = (await rowsOf(await commit([row({ minion_id: 'bulk01' })], false))).rows[0];
    const big = 'x'.repeat(64 * 1024);
    let id = BigInt(await repo.maxId()) + 1_000_000n;
    const published: string[] = [];
    // ~32 MB: more than the kernel's socket buffers on both sides plus the 1 MB allowance.
    for (let batch = 0; batch < 50; batch++) {
      const rows = Array.from({ length: 10 }, () => ({ ...template, id: String(id++), summary: big }));
      published.push(...rows.map((r) => r.id));
      bus.publish(rows);
      await new Promise((r) => setTimeout(r, 30));
    }
    await fast.waitFor(() => fast.activityCount === published.length, 'every row on the fast client', 30_000);
    await waitUntil(() => hub.clientCount === before - 1, 'the slow client to be cut off');
    slow.response?.resume();
    await slow.closed();
    expect(slow.activityIds.length).toBeLessThan(published.length);
    expect(fast.activityIds).toEqual(published);
  }, 60_000);

  it('should close the stream when the session ends by logout', async () => {
    await createUser(ds, 'leaver', ['view:job:*']);
    const s = await login(base, 'leaver');
    const c = await stream(s);
    await c.waitFor(() => c.frames.length >= 1, 'status');
    const out = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { cookie: s.cookie, 'X-XSRF-TOKEN': s.xsrf } });
    expect(out.status).toBe(204);
    await c.closed(5000);
    expect(c.frames.at(-1)).toEqual({ event: 'end', data: '{"reason":"session_ended"}' });
    await expect(stream(s).then((r) => r.status)).resolves.toBe(401);
  });

  it('should close the stream when the user loses the permission', async () => {
    const userId = await createUser(ds, 'demoted', ['view:job:*']);
    const s = await login(base, 'demoted');
    const c = await stream(s);
    await c.waitFor(() => c.frames.length >= 1, 'status');
    await setPermissions(ds, userId, ['view:audit:*']);
    await c.closed(5000);
    expect(c.frames.at(-1)).toEqual({ event: 'end', data: '{"reason":"permissions_changed"}' });
    await expect(stream(s).then((r) => r.status)).resolves.toBe(403);
  });

  it('should close open streams when the event stream is switched off', async () => {
    const c = await stream(viewer);
    await c.waitFor(() => c.frames.length >= 1, 'status');
    const settings = app.get(SettingsStore);
    await settings.set('stream', { enabled: false }, null);
    try {
      await c.closed(5000);
      expect(c.frames.at(-1)).toEqual({ event: 'end', data: '{"reason":"stream_disabled"}' });
    } finally {
      await settings.set('stream', { enabled: true }, null);
    }
  });

  describe('with a second replica on the same database', () => {
    let other: INestApplication;
    let otherBase: string;

    beforeAll(async () => {
      ({ app: other } = await createTestApp(db.url, { SYLVITE_EVENT_STREAM: 'true' }));
      otherBase = await listen(other);
    });

    afterAll(async () => {
      await other?.close();
    });

    it('should deliver every announced row once when another process committed it', async () => {
      const s = await login(otherBase, 'viewer');
      const c = await SseClient.open(otherBase, '/api/activity/stream', { cookie: s.cookie });
      open.push(c);
      await c.waitFor(() => c.frames.length >= 1, 'status');
      const ids: string[] = [];
      for (let batch = 0; batch < 3; batch++) {
        const batchIds = await commit([row(), row(), row({ category: 'key', event_type: 'key.pend', outcome: 'pending' })], false);
        ids.push(...batchIds);
        // The leader's writer announces each committed batch once.
        await ds.query(`SELECT pg_notify('sylvite_activity', $1)`, [JSON.stringify({ max_id: batchIds[2], count: 3, categories: ['job', 'key'] })]);
      }
      await c.waitFor(() => c.activityIds.length >= ids.length, 'every announced row');
      await new Promise((r) => setTimeout(r, 300));
      expect(c.activityIds).toEqual(ids);
    });
  });
});

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
