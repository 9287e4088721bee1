import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { COUNT_CAP, type ActivityPage } from '@sylvite/contracts';
import type { AppConfig } from '@sylvite/api-core';
import { dataSourceOptions } from '@sylvite/api-database';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { AppSettings, SettingsStore } from '@sylvite/api-settings';
import { ActivityRepository, SCOPE_TIMEOUT_MS } from './activity.repository';
import { ActivityService } from './activity.service';
import type { ActivityQueryDto } from './dto/activity-query.dto';
import { insertActivity, minutesAgo, type FixtureRow } from './testing/fixtures';

// Far enough back that since_minutes (at most a week) never reaches it.
const T0 = Date.parse('2024-01-10T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const ROWS: (FixtureRow & { name: string })[] = [
  { name: 'dispatch-web', occurred_at: at(0), event_type: 'job.new', minion_id: null, target: 'web*', target_type: 'glob', minions: ['web01', 'web02'], fun: 'state.apply', initiator: 'sudo_alice', jid: 'J1', summary: 'state.apply dispatched to web*' },
  { name: 'ret-web01-ok', occurred_at: at(1), minion_id: 'web01', outcome: 'ok', jid: 'J1', fun: 'state.apply', initiator: 'sudo_alice', target: 'web*', summary: 'state.apply on web01: OK', raw: '{"tag":"salt/job/J1/ret/web01","data":{"retcode":0}}' },
  { name: 'ret-web02-changes', occurred_at: at(2), minion_id: 'web02', outcome: 'changes', jid: 'J1', fun: 'state.apply', target: 'web*', summary: 'state.apply on web02: 3 changes' },
  { name: 'ret-db01-failed', occurred_at: at(3), minion_id: 'db01', outcome: 'failed', retcode: 2, jid: 'J2', fun: 'cmd.run', initiator: 'root', target: 'db01', summary: 'cmd.run on db01 failed (retcode 2)' },
  { name: 'key-db02', occurred_at: at(4), category: 'key', event_type: 'key.accept', outcome: 'accepted', minion_id: 'db02', summary: 'Key of db02 accepted' },
  { name: 'start-web03', occurred_at: at(5), category: 'minion', event_type: 'minion.start', outcome: 'online', minion_id: 'web03', summary: 'web03 came online' },
  { name: 'dispatch-db', occurred_at: at(6), event_type: 'job.new', minion_id: null, target: 'db01', minions: ['db01'], jid: 'J2', fun: 'cmd.run', initiator: 'root', summary: 'cmd.run dispatched to db01' },
  { name: 'runner', occurred_at: at(7), minion_id: null, target: null, minions: null, outcome: 'ok', fun: 'runner.state.orchestrate', summary: 'orchestrate finished' },
  { name: 'tie-a', occurred_at: at(8), category: 'key', event_type: 'key.pend', outcome: 'pending', minion_id: 'web04', summary: 'Key of web04 is pending' },
  { name: 'tie-b', occurred_at: at(8), minion_id: 'web04', outcome: 'ok', summary: 'test.ping on web04: OK', fun: 'test.ping' },
  { name: 'pct', occurred_at: at(9), minion_id: 'db03', outcome: 'failed', retcode: 1, summary: 'disk 100% full_now', fun: 'disk.usage' },
  { name: 'no-pct', occurred_at: at(10), minion_id: 'db03', outcome: 'ok', summary: 'disk 1000 fullxnow', fun: 'disk.usage' },
];

const admin = { permissions: ['*:*:*'] };
const viewer = { permissions: ['view:job:*', 'view:key:*', 'view:minion:*'] };

describe('ActivityService against PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let service: ActivityService;
  const names = new Map<string, string>();
  const nameOf = (id: string) => [...names.entries()].find(([, v]) => v === id)?.[0] ?? `#${id}`;
  const list = async (q: Partial<ActivityQueryDto>, who: { permissions: string[] } = viewer) => service.list(who, q as ActivityQueryDto);
  const namesIn = (page: ActivityPage) => page.events.map((e) => nameOf(e.id));

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, []));
    await ds.initialize();
    const ids = await insertActivity(ds, ROWS);
    ROWS.forEach((r, i) => names.set(r.name, ids[i]));
    const config = { salt: { streamEnabled: null }, auth: { secret: 'x'.repeat(40), previousSecrets: [] } } as unknown as AppConfig;
    service = new ActivityService(new ActivityRepository(ds), new AppSettings(new SettingsStore(ds), config));
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  describe('order and shape', () => {
    it('should list newest first with ties broken by id when no filter is given', async () => {
      const page = await list({});
      expect(namesIn(page)).toEqual([
        'no-pct', 'pct', 'tie-b', 'tie-a', 'runner', 'dispatch-db', 'start-web03', 'key-db02', 'ret-db01-failed',
        'ret-web02-changes', 'ret-web01-ok', 'dispatch-web',
      ]);
      expect(page.total).toBe(12);
      expect(page.total_is_estimate).toBe(false);
      expect(page.next_before_cursor).toBeNull();
    });

    it('should return every contract field with ISO times when a row is listed', async () => {
      const page = await list({ jid: 'J2', event_type: 'job.ret' });
      expect(page.events).toEqual([
        {
          id: names.get('ret-db01-failed'), occurred_at: at(3), received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
          category: 'job', event_type: 'job.ret', outcome: 'failed', minion_id: 'db01', jid: 'J2', fun: 'cmd.run', initiator: 'root',
          target: 'db01', target_type: null, retcode: 2, duration_ms: null, summary: 'cmd.run on db01 failed (retcode 2)',
        },
      ]);
    });
  });

  describe('filters', () => {
    it.each<[string, Partial<ActivityQueryDto>, string[]]>([
      ['category', { category: 'key' }, ['tie-a', 'key-db02']],
      ['categories', { categories: ['key', 'minion'] }, ['tie-a', 'start-web03', 'key-db02']],
      ['category and categories together', { category: 'key', categories: ['key', 'minion'] }, ['tie-a', 'key-db02']],
      ['minion_id', { minion_id: 'web04' }, ['tie-b', 'tie-a']],
      ['event_type', { event_type: 'job.new' }, ['dispatch-db', 'dispatch-web']],
      ['jid', { jid: 'J1' }, ['ret-web02-changes', 'ret-web01-ok', 'dispatch-web']],
      ['search over the summary, case-insensitively', { search: 'CAME ONLINE' }, ['start-web03']],
      ['search inside a host name', { search: 'eb0', category: 'minion' }, ['start-web03']],
      ['search over the initiator', { search: 'sudo_al' }, ['ret-web01-ok', 'dispatch-web']],
      ['search over the function', { search: 'orchestrate' }, ['runner']],
      ['search with a literal %', { search: '100%' }, ['pct']],
      ['search with a literal _', { search: 'full_now' }, ['pct']],
      ['search under three characters', { search: 'db', category: 'key' }, ['key-db02']],
      ['q as the other name of search', { q: 'web03' }, ['start-web03']],
      ['hide_routine', { hide_routine: true, category: 'job', event_type: 'job.ret' }, ['pct', 'ret-db01-failed', 'ret-web02-changes']],
      ['hide_dispatch', { hide_dispatch: true, jid: 'J1' }, ['ret-web02-changes', 'ret-web01-ok']],
      ['since (inclusive)', { since: at(9) }, ['no-pct', 'pct']],
      ['until (exclusive)', { until: at(1) }, ['dispatch-web']],
      ['since and until together', { since: at(4), until: at(6) }, ['start-web03', 'key-db02']],
      ['since_minutes', { since_minutes: 10_080 }, []],
    ])('should apply %s when it is given', async (_name, q, expected) => {
      const page = await list(q);
      expect(namesIn(page)).toEqual(expected);
      expect(page.total).toBe(expected.length);
    });

    it('should count since_minutes from now when rows are recent', async () => {
      const [fresh] = await insertActivity(ds, [{ occurred_at: minutesAgo(5), minion_id: 'recent01', summary: 'recent row' }]);
      const old = await insertActivity(ds, [{ occurred_at: minutesAgo(90), minion_id: 'recent01', summary: 'older row' }]);
      try {
        const page = await list({ since_minutes: 60, minion_id: 'recent01' });
        expect(page.events.map((e) => e.id)).toEqual([fresh]);
      } finally {
        await ds.query('DELETE FROM activity_events WHERE id = ANY($1::bigint[])', [[fresh, ...old]]);
      }
    });
  });

  describe('scoping', () => {
    it('should show only granted categories when the caller holds one category', async () => {
      const page = await list({}, { permissions: ['view:key:*'] });
      expect(namesIn(page)).toEqual(['tie-a', 'key-db02']);
    });

    it('should show only matching minions and their dispatches when the grant is view:job:web*', async () => {
      const page = await list({}, { permissions: ['view:job:web*'] });
      expect(namesIn(page)).toEqual(['tie-b', 'ret-web02-changes', 'ret-web01-ok', 'dispatch-web']);
    });

    it('should match a dispatch on any expected minion when the grant names another minion of it', async () => {
      const page = await list({ event_type: 'job.new' }, { permissions: ['view:job:web02'] });
      expect(namesIn(page)).toEqual(['dispatch-web']);
    });

    it('should match a dispatch by one entry of its list target when it recorded no expected minions', async () => {
      const extra = await insertActivity(ds, [
        { occurred_at: at(-4), event_type: 'job.new', minion_id: null, target: 'db09,web09', target_type: 'list', minions: null, summary: 'listed' },
        { occurred_at: at(-5), event_type: 'job.new', minion_id: null, target: 'xweb09', target_type: 'list', minions: null, summary: 'inside' },
        { occurred_at: at(-6), event_type: 'job.new', minion_id: null, target: '*', minions: ['app01', 'xweb09'], summary: 'expected' },
      ]);
      try {
        const page = await list({ event_type: 'job.new' }, { permissions: ['view:job:web0?'] });
        expect(page.events.map((e) => e.summary)).toEqual(['state.apply dispatched to web*', 'listed']);
        const two = await list({ event_type: 'job.new' }, { permissions: ['view:job:db01', 'view:job:web09'] });
        expect(two.events.map((e) => e.summary)).toEqual(['cmd.run dispatched to db01', 'listed']);
      } finally {
        await ds.query('DELETE FROM activity_events WHERE id = ANY($1::bigint[])', [extra]);
      }
    });

    it('should answer 400 naming since rather than wait when a narrow grant takes too long', async () => {
      // A lock held elsewhere stands in for a slow scan: the statement timeout covers both.
      const blocker = ds.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      try {
        await blocker.query('LOCK TABLE activity_events IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const err = await list({}, { permissions: ['view:job:web*'] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BadRequestException);
        expect((err as BadRequestException).message).toMatch(/^since: /);
        expect(Date.now() - started).toBeLessThan(SCOPE_TIMEOUT_MS + 3_000);
      } finally {
        await blocker.rollbackTransaction();
        await blocker.release();
      }
    }, 20_000);

    it('should combine a narrow category with an unrestricted one when both are granted', async () => {
      const page = await list({}, { permissions: ['view:job:db*', 'view:minion:*'] });
      expect(namesIn(page)).toEqual(['no-pct', 'pct', 'dispatch-db', 'start-web03', 'ret-db01-failed']);
    });

    it('should return an empty page rather than refuse when the category filter is outside the grants', async () => {
      const page = await list({ category: 'key' }, { permissions: ['view:job:*'] });
      expect(page).toEqual({ total: 0, total_is_estimate: false, events: [], next_before_cursor: null, newest_cursor: null });
    });

    it('should show runner rows only to an unrestricted grant when they name no minion', async () => {
      await expect(list({ search: 'orchestrate' }, { permissions: ['view:job:web*'] })).resolves.toMatchObject({ total: 0 });
      await expect(list({ search: 'orchestrate' }, admin)).resolves.toMatchObject({ total: 1 });
    });
  });

  describe('pagination', () => {
    it('should walk every row once with before_cursor when pages are small', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await list({ limit: 5, before_cursor: cursor });
        seen.push(...namesIn(page));
        expect(page.total).toBe(12);
        if (!page.next_before_cursor) break;
        cursor = page.next_before_cursor;
      }
      expect(seen).toEqual(namesIn(await list({})));
    });

    it('should repeat the first page total on a cursor page instead of counting again', async () => {
      const first = await list({ limit: 5 });
      expect(first.next_before_cursor).toMatch(/\|12$/);
      // Rows that arrive (or leave) between pages do not change what the walk reports.
      const extra = await insertActivity(ds, [
        { occurred_at: at(-3), minion_id: 'late01', summary: 'late row' },
        { occurred_at: at(-2), minion_id: 'late02', summary: 'late row' },
      ]);
      try {
        const second = await list({ limit: 5, before_cursor: first.next_before_cursor ?? undefined });
        expect(second).toMatchObject({ total: 12, total_is_estimate: false });
        expect(second.next_before_cursor).toMatch(/\|12$/);
        // A cursor without a total (made by hand, or an older client's) is counted as before.
        const bare = (first.next_before_cursor ?? '').split('|').slice(0, 2).join('|');
        await expect(list({ limit: 5, before_cursor: bare })).resolves.toMatchObject({ total: 14, total_is_estimate: false });
      } finally {
        await ds.query('DELETE FROM activity_events WHERE id = ANY($1::bigint[])', [extra]);
      }
    });

    it('should carry a bounded total as a bound when the first page was over the cap', async () => {
      const page = await list({ limit: 1, before_cursor: `${at(10)}|${names.get('no-pct')}|~10000` });
      expect(page).toMatchObject({ total: COUNT_CAP, total_is_estimate: true });
      expect(page.next_before_cursor).toMatch(/\|~10000$/);
    });

    it('should split rows with equal times by id when a page boundary falls between them', async () => {
      const first = await list({ limit: 3 });
      expect(namesIn(first)).toEqual(['no-pct', 'pct', 'tie-b']);
      const next = await list({ limit: 1, before_cursor: first.next_before_cursor ?? undefined });
      expect(namesIn(next)).toEqual(['tie-a']);
    });

    it('should return rows newer than since_cursor oldest first when polling', async () => {
      const all = await list({});
      const cursorRow = all.events.find((e) => nameOf(e.id) === 'tie-a');
      const page = await list({ since_cursor: `${cursorRow?.occurred_at}|${cursorRow?.id}`, limit: 2 });
      expect(namesIn(page)).toEqual(['tie-b', 'pct']);
      expect(page.next_before_cursor).toBeNull();
      expect(page.newest_cursor).toBe(`${at(9)}|${names.get('pct')}`);
    });

    it('should keep the given since_cursor as newest_cursor when nothing is newer', async () => {
      const cursor = `${at(10)}|${names.get('no-pct')}`;
      await expect(list({ since_cursor: cursor })).resolves.toEqual({
        total: 12, total_is_estimate: false, events: [], next_before_cursor: null, newest_cursor: cursor,
      });
    });

    it('should page by offset when offset is given', async () => {
      const page = await list({ limit: 2, offset: 2 });
      expect(namesIn(page)).toEqual(['tie-b', 'tie-a']);
      expect(page.total).toBe(12);
      expect(page.next_before_cursor).toBe(`${at(8)}|${names.get('tie-a')}|12`);
    });

    it('should return an empty page with no cursors when nothing matches', async () => {
      await expect(list({ minion_id: 'nobody' })).resolves.toEqual({
        total: 0, total_is_estimate: false, events: [], next_before_cursor: null, newest_cursor: null,
      });
    });

    it('should give one row and a cursor when limit is 1 and more exist', async () => {
      const page = await list({ limit: 1 });
      expect(page.events).toHaveLength(1);
      expect(page.next_before_cursor).toBe(`${at(10)}|${names.get('no-pct')}|12`);
      expect(page.newest_cursor).toBe(`${at(10)}|${names.get('no-pct')}`);
    });

    it('should keep microseconds in cursors when stored times have them', async () => {
      await ds.query(`SELECT sylvite_ensure_activity_partition('2024-01-09')`);
      const ids: string[] = [];
      for (const t of ['2024-01-09T10:00:00.123456Z', '2024-01-09T10:00:00.123457Z', '2024-01-09T10:00:00.123Z']) {
        const r: { id: string }[] = await ds.query(
          `INSERT INTO activity_events (occurred_at, category, event_type, outcome, tag, minion_id, summary, search_text, dedupe_key)
           VALUES ($1, 'minion', 'minion.start', 'online', 't', 'micro01', 's', 's', $2) RETURNING id::text AS id`,
          [t, `micro-${t}`],
        );
        ids.push(r[0].id);
      }
      try {
        const first = await list({ minion_id: 'micro01', limit: 1 });
        expect(first.events[0].occurred_at).toBe('2024-01-09T10:00:00.123457Z');
        const second = await list({ minion_id: 'micro01', limit: 1, before_cursor: first.next_before_cursor ?? undefined });
        expect(second.events.map((e) => e.occurred_at)).toEqual(['2024-01-09T10:00:00.123456Z']);
        const third = await list({ minion_id: 'micro01', limit: 1, before_cursor: second.next_before_cursor ?? undefined });
        expect(third.events.map((e) => e.occurred_at)).toEqual(['2024-01-09T10:00:00.123Z']);
        expect(third.next_before_cursor).toBeNull();
      } finally {
        await ds.query('DELETE FROM activity_events WHERE id = ANY($1::bigint[])', [ids]);
      }
    });

    it('should report a bounded total flagged as an estimate when more rows match than the cap', async () => {
      await ds.query(
        `INSERT INTO activity_events (occurred_at, category, event_type, outcome, tag, minion_id, summary, search_text, dedupe_key)
         SELECT $1::timestamptz - make_interval(secs => g), 'minion', 'minion.start', 'online', 't', 'bulk' || g, 'bulk', 'bulk', 'bulk-' || g
           FROM generate_series(1, ${COUNT_CAP + 5}) g`,
        [at(-10)],
      );
      try {
        const page = await list({ category: 'minion', limit: 500 });
        expect(page.events).toHaveLength(500);
        expect(page).toMatchObject({ total: COUNT_CAP, total_is_estimate: true });
      } finally {
        await ds.query(`DELETE FROM activity_events WHERE minion_id LIKE 'bulk%'`);
      }
    });
  });

  describe('detail', () => {
    it('should add the stored raw event when the row has a payload', async () => {
      const d = await service.detail(viewer, names.get('ret-web01-ok') as string);
      expect(d).toMatchObject({
        id: names.get('ret-web01-ok'), minion_id: 'web01', raw: '{"tag":"salt/job/J1/ret/web01","data":{"retcode":0}}',
        raw_size: 52, raw_truncated: false, raw_value_trimmed: false,
      });
    });

    it('should say no payload is kept when the row has none', async () => {
      await expect(service.detail(viewer, names.get('key-db02') as string)).resolves.toMatchObject({ raw: null, raw_size: 0 });
    });

    it('should answer 404 when the row is outside the caller scope', async () => {
      await expect(service.detail({ permissions: ['view:job:web*'] }, names.get('ret-db01-failed') as string)).rejects.toBeInstanceOf(NotFoundException);
      await expect(service.detail({ permissions: ['view:key:*'] }, names.get('ret-web01-ok') as string)).rejects.toBeInstanceOf(NotFoundException);
    });

    it('should answer 404 when the id is unknown and 400 when it is not an id', async () => {
      await expect(service.detail(viewer, '999999999')).rejects.toBeInstanceOf(NotFoundException);
      await expect(service.detail(viewer, 'abc')).rejects.toBeInstanceOf(BadRequestException);
    });
  });
});
