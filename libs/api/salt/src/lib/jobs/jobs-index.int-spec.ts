import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import type { ActivityEventDto } from '@sylvite/contracts';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { ActivityBus, type SaltApiClient, type SaltJobInfo, type SaltJobsIndex, type SaltStreamService } from '@sylvite/api-salt-stream';
import type { AppSettings } from '@sylvite/api-settings';
import { emptyFact, factFromActivity, type JobActivityRow, type JobFact } from './job-facts';
import { JobsIndexService } from './jobs-index.service';
import { JobsRepository } from './jobs.repository';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
let seq = 0;

/** A jid minted `s` seconds after T0, unique per call. */
function jidAt(s: number): string {
  const d = new Date(T0 + s * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  seq += 1;
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}${p(seq, 3)}`;
}

function iso(s: number): string {
  return new Date(T0 + s * 1000).toISOString();
}

function row(over: Partial<JobActivityRow> & { event_type: string; jid: string }): JobActivityRow {
  return {
    occurred_at: iso(1), minion_id: null, fun: 'test.ping', initiator: 'saltapi', target: 'web*', target_type: 'glob',
    outcome: over.event_type === 'job.new' ? 'dispatched' : 'ok', retcode: over.event_type === 'job.ret' ? 0 : null, ...over,
  };
}

function facts(rows: [JobActivityRow, string[] | null][]): JobFact[] {
  return rows.map(([r, m]) => factFromActivity(r, m)).filter((f): f is JobFact => f !== null);
}

describe('jobs index', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: JobsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource({ type: 'postgres', url: db.url });
    await ds.initialize();
    repo = new JobsRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const job = async (jid: string) => (await repo.get(jid))?.job;

  it('should move a job from running to complete when every expected minion has returned', async () => {
    const jid = jidAt(0);
    await repo.apply(facts([[row({ event_type: 'job.new', jid, occurred_at: iso(0) }), ['web01', 'web02']]]));
    expect(await job(jid)).toMatchObject({ status: 'running', targeted: 2, returned: 0, pending: 2, fun: 'test.ping', target: 'web*' });

    await repo.apply(facts([[row({ event_type: 'job.ret', jid, minion_id: 'web01' }), null]]));
    expect(await job(jid)).toMatchObject({ status: 'running', returned: 1, pending: 1, outcome: 'ok' });

    await repo.apply(facts([[row({ event_type: 'job.ret', jid, minion_id: 'web02', outcome: 'failed', retcode: 2 }), null]]));
    expect(await job(jid)).toMatchObject({ status: 'complete', returned: 2, failed: 1, pending: 0, outcome: 'failed' });
    expect((await repo.get(jid))?.minions).toEqual([
      expect.objectContaining({ minion_id: 'web01', expected: true, outcome: 'ok', retcode: 0 }),
      expect.objectContaining({ minion_id: 'web02', expected: true, outcome: 'failed', retcode: 2 }),
    ]);
  });

  it('should reach the same index whatever the order and however often the facts arrive', async () => {
    const a = jidAt(10);
    const b = jidAt(11);
    const all: [JobActivityRow, string[] | null][] = [
      [row({ event_type: 'job.ret', jid: a, minion_id: 'db01', fun: 'state.apply', initiator: null, target: null, occurred_at: iso(12) }), null],
      [row({ event_type: 'job.new', jid: a, fun: 'state.apply', target: 'db*', occurred_at: iso(10) }), ['db01', 'db02']],
      [row({ event_type: 'job.ret', jid: a, minion_id: 'db02', fun: 'state.apply', outcome: 'changes', occurred_at: iso(13) }), null],
    ];
    await repo.apply(facts(all));
    for (const one of [all[2], all[0], all[1], all[1]]) await repo.apply(facts([one]));
    await repo.apply(facts([...all].reverse().map(([r, m]) => [{ ...r, jid: b }, m])));
    for (const jid of [a, b]) {
      expect(await job(jid)).toMatchObject({
        status: 'complete', targeted: 2, returned: 2, outcome: 'changes', initiator: 'saltapi', target: 'db*', fun: 'state.apply',
      });
    }
    expect((await job(a))?.started_at.toISOString()).toBe(iso(10));
  });

  it('should keep a real return over a late no-return mark and let a late return replace the mark', async () => {
    const jid = jidAt(20);
    await repo.apply(facts([[row({ event_type: 'job.new', jid }), ['web01', 'web02']]]));
    await repo.apply(facts([[row({ event_type: 'job.ret', jid, minion_id: 'web01' }), null]]));
    await repo.apply(facts([[row({ event_type: 'job.noreturn', jid, minion_id: 'web01', outcome: 'noreturn' }), null]]));
    await repo.apply(facts([[row({ event_type: 'job.noreturn', jid, minion_id: 'web02', outcome: 'noreturn' }), null]]));
    expect(await job(jid)).toMatchObject({ status: 'complete', returned: 1, noreturn: 1, outcome: 'ok' });

    await repo.apply(facts([[row({ event_type: 'job.ret', jid, minion_id: 'web02', outcome: 'changes' }), null]]));
    expect(await job(jid)).toMatchObject({ status: 'complete', returned: 2, noreturn: 0, outcome: 'changes' });
  });

  it('should complete a runner job on its own return and a minion-scheduled job on its only return', async () => {
    const run = jidAt(30);
    await repo.apply(facts([[row({ event_type: 'job.new', jid: run, fun: 'runner.state.orchestrate', target: null }), null]]));
    expect(await job(run)).toMatchObject({ status: 'running', targeted: 0 });
    await repo.apply(facts([[row({ event_type: 'job.ret', jid: run, fun: 'runner.state.orchestrate', outcome: 'changes' }), null]]));
    expect(await job(run)).toMatchObject({ status: 'complete', outcome: 'changes' });

    const sched = jidAt(31);
    await repo.apply(facts([[row({ event_type: 'job.ret', jid: sched, minion_id: 'cache01', fun: 'state.highstate', initiator: 'schedule:hs' }), null]]));
    expect(await job(sched)).toMatchObject({ status: 'complete', returned: 1, targeted: 0, initiator: 'schedule:hs' });
  });

  it('should keep the dispatching Sylvite user and let the stream fill in the rest', async () => {
    const jid = jidAt(40);
    const dispatch = Object.assign(emptyFact(jid, true), { fun: 'cmd.run', args: ['uptime'], target: 'app01,app02', target_type: 'list', requested_by: 'olga', request_id: 'r-1', expected: ['app01', 'app02'] });
    await repo.apply([dispatch]);
    await repo.apply(facts([[row({ event_type: 'job.new', jid, fun: 'cmd.run', target: 'app01,app02', target_type: 'list' }), ['app01', 'app02']]]));
    expect(await job(jid)).toMatchObject({ requested_by: 'olga', request_id: 'r-1', initiator: 'saltapi', args: ['uptime'], targeted: 2 });
  });

  describe('listing', () => {
    const jids: Record<string, string> = {};

    beforeAll(async () => {
      jids['web'] = jidAt(100);
      jids['db'] = jidAt(101);
      jids['mixed'] = jidAt(102);
      jids['hs'] = jidAt(103);
      await repo.apply([
        ...facts([
          [row({ event_type: 'job.new', jid: jids['web'], occurred_at: iso(100), fun: 'test.ping', target: 'web*' }), ['web01', 'web02']],
          [row({ event_type: 'job.ret', jid: jids['web'], minion_id: 'web01' }), null],
          [row({ event_type: 'job.ret', jid: jids['web'], minion_id: 'web02' }), null],
          [row({ event_type: 'job.new', jid: jids['db'], occurred_at: iso(101), fun: 'pkg.upgrade', target: 'db*', initiator: 'root' }), ['db01']],
          [row({ event_type: 'job.new', jid: jids['mixed'], occurred_at: iso(102), fun: 'state.apply', target: '*' }), ['web01', 'db01']],
          [row({ event_type: 'job.ret', jid: jids['mixed'], minion_id: 'db01', fun: 'state.apply', outcome: 'failed', retcode: 2 }), null],
        ]),
        Object.assign(emptyFact(jids['hs'], true), {
          started_at: iso(103), fun: 'state.apply', args: [{ __kwarg__: true, test: true }], target: 'web01', target_type: 'glob', expected: ['web01'], requested_by: 'olga',
        }),
      ]);
    });

    const list = async (q: Partial<Parameters<JobsRepository['list']>[0]>, scope: '*' | string[] = '*') =>
      (await repo.list({ limit: 50, offset: 0, since: iso(99), ...q }, scope)).map((r) => r.jid);

    it('should list newest first and page with a cursor or an offset', async () => {
      expect(await list({})).toEqual([jids['hs'], jids['mixed'], jids['db'], jids['web']]);
      expect(await list({ limit: 2, offset: 2 })).toEqual([jids['db'], jids['web']]);
      expect(await list({ before: { at: iso(102), jid: jids['mixed'] } })).toEqual([jids['db'], jids['web']]);
    });

    it('should filter by function glob, user, target, minion, status and time', async () => {
      expect(await list({ fun: 'state.*' })).toEqual([jids['hs'], jids['mixed']]);
      expect(await list({ user: 'ROOT' })).toEqual([jids['db']]);
      expect(await list({ user: 'olga' })).toEqual([jids['hs']]);
      expect(await list({ target: 'db*' })).toEqual([jids['mixed'], jids['db']]);
      expect(await list({ minion: 'web02' })).toEqual([jids['web']]);
      expect(await list({ status: 'complete' })).toEqual([jids['web']]);
      expect(await list({ status: 'running' })).toEqual([jids['hs'], jids['mixed'], jids['db']]);
      expect(await list({ since: iso(101), until: iso(103) })).toEqual([jids['mixed'], jids['db']]);
    });

    it('should show a narrow grant only jobs touching its minions, counted over those minions', async () => {
      const rows = await repo.list({ limit: 50, offset: 0, since: iso(99) }, ['web*']);
      expect(rows.map((r) => r.jid)).toEqual([jids['hs'], jids['mixed'], jids['web']]);
      expect(rows.find((r) => r.jid === jids['mixed'])).toMatchObject({ targeted: 1, returned: 0, failed: 0, pending: 1 });
      expect(await list({}, ['nothing*'])).toEqual([]);
    });

    it('should find each minion\'s last job and last highstate', async () => {
      const last = await repo.lastJobs(['web01', 'db01', 'nobody'], false);
      expect(last.get('web01')?.jid).toBe(jids['hs']);
      expect(last.get('db01')).toMatchObject({ jid: jids['mixed'], outcome: 'failed', fun: 'state.apply' });
      expect(last.has('nobody')).toBe(false);
      // state.apply with only kwargs is a highstate; the '*' one had unknown args.
      const hs = await repo.lastJobs(['web01', 'db01'], true);
      expect(hs.get('web01')?.jid).toBe(jids['hs']);
      expect(hs.has('db01')).toBe(false);
    });
  });

  it('should page the stored job rows in id order when their ids cross a power of ten', async () => {
    const at = new Date(T0 + 500_000);
    await ds.query(`SELECT sylvite_ensure_activity_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)`, [at]);
    await ds.query(`SELECT setval('activity_events_id_seq', 999995)`);
    const jid = jidAt(500);
    for (let i = 0; i < 10; i++) {
      await ds.query(
        `INSERT INTO activity_events (occurred_at, category, event_type, outcome, tag, minion_id, jid, fun, summary, search_text, dedupe_key)
         VALUES ($1, 'job', 'job.ret', 'ok', 't', $2, $3, 'test.ping', 's', 's', $4)`,
        [at, `pow${i}`, jid, `${jid}|pow${i}`],
      );
    }
    // Pages of 4, as catch-up walks them: 999996…1000005 must all come back, in order.
    const seen: string[] = [];
    for (let after = '0'; ; ) {
      const page = await repo.activityJobRows(at, after, 4);
      seen.push(...page.filter((r) => r.jid === jid).map((r) => r.id));
      if (page.length < 4) break;
      after = page[page.length - 1].id;
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => String(999996 + i)));
  });

  describe('the index service', () => {
    const scheduler = new SchedulerRegistry();
    const settings = { retentionDays: async () => 30 } as unknown as AppSettings;
    let bus: ActivityBus;
    let service: JobsIndexService;
    let leader = true;
    let index: SaltJobsIndex = {};
    const details = new Map<string, SaltJobInfo>();
    const client = {
      configured: true,
      listJobs: async () => index,
      jobInfo: async (jid: string) => details.get(jid) ?? null,
    } as unknown as SaltApiClient;

    beforeAll(() => {
      bus = new ActivityBus();
      service = new JobsIndexService(repo, client, bus, { get isLeader() { return leader; } } as unknown as SaltStreamService, settings, scheduler);
      service.onApplicationBootstrap();
    });

    afterAll(async () => {
      await service.onModuleDestroy();
    });

    function dto(r: JobActivityRow, id: number): ActivityEventDto {
      return { ...r, id: String(id), received_at: r.occurred_at, category: 'job', summary: 's' } as ActivityEventDto;
    }

    it('should apply committed activity batches on the replica that writes them and ignore relayed ones elsewhere', async () => {
      const jid = jidAt(200);
      bus.publish([dto(row({ event_type: 'job.new', jid, fun: 'test.ping' }), 1)], [['mon01']]);
      bus.publish([dto(row({ event_type: 'job.ret', jid, minion_id: 'mon01' }), 2)], [null]);
      await service.record([]);
      expect(await job(jid)).toMatchObject({ status: 'complete', targeted: 1, returned: 1 });

      leader = false;
      const other = jidAt(201);
      bus.publish([dto(row({ event_type: 'job.new', jid: other }), 3)], [['mon01']]);
      await service.record([]);
      expect(await job(other)).toBeUndefined();
      leader = true;
    });

    it('should take a dispatch\'s arguments from the writer\'s batch and read them back only for a relayed one', async () => {
      const live = jidAt(250);
      bus.publish([dto(row({ event_type: 'job.new', jid: live, fun: 'state.apply' }), 900)], [['mon02']], [[{ __kwarg__: true, test: true }]]);
      await service.record([]);
      expect(await job(live)).toMatchObject({ fun: 'state.apply', args: [{ __kwarg__: true, test: true }] });
      expect((await repo.lastJobs(['mon02'], true)).get('mon02')?.jid).toBe(live);

      // Relayed (no arguments in the batch): the stored raw event is the only source.
      const relayed = jidAt(251);
      const at = new Date(T0 + 251_000);
      await ds.query(`SELECT sylvite_ensure_activity_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)`, [at]);
      const [{ id }]: { id: string }[] = await ds.query(
        `INSERT INTO activity_events (occurred_at, category, event_type, outcome, tag, jid, fun, summary, search_text, dedupe_key)
         VALUES ($1, 'job', 'job.new', 'dispatched', 't', $2, 'state.apply', 's', 's', $3) RETURNING id::text AS id`,
        [at, relayed, `${relayed}||job.new`],
      );
      const raw = JSON.stringify({ tag: `salt/job/${relayed}/new`, data: { jid: relayed, fun: 'state.apply', arg: ['nginx'] } });
      await ds.query(`INSERT INTO activity_payloads (id, occurred_at, raw, raw_size, raw_truncated, value_trimmed) VALUES ($1, $2, $3, $4, false, false)`, [id, at, raw, raw.length]);
      bus.publish([dto(row({ event_type: 'job.new', jid: relayed, fun: 'state.apply', occurred_at: at.toISOString() }), Number(id))], [['mon03']]);
      await service.record([]);
      expect(await job(relayed)).toMatchObject({ args: ['nginx'] });
      expect((await repo.lastJobs(['mon03'], true)).has('mon03')).toBe(false);
    });

    it('should catch up from the activity store what was written while nobody listened', async () => {
      const jid = jidAt(300);
      const at = new Date();
      await ds.query(`SELECT sylvite_ensure_activity_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)`, [at]);
      const insert = `INSERT INTO activity_events (occurred_at, category, event_type, outcome, tag, minion_id, jid, fun, initiator, target, target_type, retcode, minions, summary, search_text, dedupe_key)
        VALUES ($1, 'job', $2, $3, 't', $4, $5, 'state.highstate', 'saltapi', 'cache*', 'glob', $6, $7, 's', 's', $8)`;
      await ds.query(insert, [at, 'job.new', 'dispatched', null, jid, null, ['cache01'], `${jid}|new`]);
      await ds.query(insert, [at, 'job.ret', 'changes', 'cache01', jid, 0, null, `${jid}|ret`]);
      expect(await service.catchUp()).toBeGreaterThanOrEqual(2);
      expect(await job(jid)).toMatchObject({ status: 'complete', returned: 1, outcome: 'changes' });
      expect((await repo.lastJobs(['cache01'], true)).get('cache01')?.jid).toBe(jid);
    });

    it('should discover jobs and their returns from salt-api\'s jobs runner when polled with the stream off', async () => {
      const now = Date.now();
      const d = new Date(now - 5000);
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      const jid = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}777`;
      index = {
        [jid]: { Function: 'cmd.run', Arguments: ['uptime'], Target: 'lb*', 'Target-type': 'glob', User: 'saltapi', Metadata: { sylvite_user: 'olga' } },
        [`${jid.slice(0, -3)}778`]: { Function: 'runner.jobs.list_job', Target: 'master', User: 'saltapi' },
      };
      details.set(jid, {
        ...index[jid], Minions: ['lb01', 'lb02'], Result: { lb01: { return: 'up 3 days', retcode: 0, success: true } },
      } as SaltJobInfo);
      expect(bus.status.value.state).toBe('disabled');
      await service.poll();
      expect(await job(jid)).toMatchObject({ fun: 'cmd.run', requested_by: 'olga', status: 'running', targeted: 2, returned: 1, pending: 1 });
      expect(await job(`${jid.slice(0, -3)}778`)).toBeUndefined();

      details.set(jid, { ...details.get(jid), Result: { lb01: { return: 'x', retcode: 0, success: true }, lb02: { return: 'y', retcode: 1, success: false } } } as SaltJobInfo);
      await ds.query(`UPDATE salt_job_sync SET lease_until = now() - interval '1 second'`);
      await service.poll();
      expect(await job(jid)).toMatchObject({ status: 'complete', returned: 2, failed: 1, outcome: 'failed' });
    });

    it('should remove jobs older than the retention window', async () => {
      const old = jidAt(400);
      await repo.apply([Object.assign(emptyFact(old, true), { started_at: '2020-01-01T00:00:00.000Z', fun: 'test.ping', expected: ['web01'] })]);
      await service.prune();
      expect(await job(old)).toBeUndefined();
      expect(await ds.query(`SELECT 1 FROM salt_job_minions WHERE jid = $1`, [old])).toEqual([]);
    });
  });
});
