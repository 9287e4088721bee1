import type { ErrorEnvelope } from '@sylvite/contracts';
import { eventually } from '../support/client';
import { activityOf, audited, startOps, stopOps, type Ops } from './ops-support';

interface RunReply {
  jid: string;
  minions: string[];
}
interface JobMinion {
  id: string;
  state: string;
  targeted: boolean;
  outcome: string | null;
  retcode: number | null;
  changes_count: number | null;
  duration_ms: number | null;
  states: { function: string; result: boolean | null }[] | null;
  return?: unknown;
}
interface JobDetail {
  jid: string;
  fun: string;
  status: string;
  source: string;
  requested_by: string | null;
  counts: { targeted: number; returned: number; pending: number };
  minions: JobMinion[];
}
interface JobsPage {
  items: { jid: string; status: string; requested_by: string | null; counts: { targeted: number } }[];
  next_before_cursor: string | null;
}

const WEB = ['web01.example.com', 'web02.example.com', 'web03.example.com', 'web04.example.com'];

describe('operations: run, the jobs index and kill against salt-sim', () => {
  let ops: Ops;

  beforeAll(async () => {
    ops = await startOps();
  });

  afterAll(async () => {
    await stopOps(ops);
  });

  const complete = (jid: string) =>
    eventually(async () => {
      const r = await ops.admin.get<JobDetail>(`/api/jobs/${jid}`);
      return r.status === 200 && r.body.status === 'complete' ? r.body : null;
    }, 15_000, 100);

  describe('POST /api/run', () => {
    it('should dispatch with local_async, answer 202 with the jid and minions, and complete the audit row with the jid', async () => {
      const before = await ops.control.published();
      const { res, row } = await audited(ops.db, 'run-ping', (h) => ops.as['olga'].post<RunReply>('/api/run', { target: 'web*', fun: 'test.ping' }, h));
      expect(res.status).toBe(202);
      expect(res.body.minions).toEqual(WEB);
      expect(res.body.jid).toMatch(/^\d{20}$/);
      expect(await ops.control.published()).toBe(before + 1);
      const audit = await row();
      expect(audit).toMatchObject({ action: 'salt.run', decision: 'allow', result_code: 202, salt_jid: res.body.jid, resource: 'minion:web*' });
      expect(audit.args_json).toMatchObject({ body: { target: 'web*', fun: 'test.ping' } });

      // The job carries who asked, for correlation in salt's own job cache.
      const cached = (await ops.control.jobs())[res.body.jid];
      expect(cached).toMatchObject({ Function: 'test.ping', Target: 'web*', Metadata: { sylvite_user: 'olga', sylvite_request_id: audit.request_id } });
    });

    it('should cause job.new and one job.ret per minion in the activity store, and show the job complete', async () => {
      const res = await ops.as['olga'].post<RunReply>('/api/run', { target: 'web01.example.com,web02.example.com', target_type: 'list', fun: 'test.ping' });
      expect(res.status).toBe(202);
      const rows = await eventually(async () => {
        const r = await activityOf(ops.admin, `jid=${res.body.jid}`);
        return r.filter((x) => x.event_type === 'job.ret').length === 2 ? r : null;
      }, 15_000, 100);
      expect(rows.filter((r) => r.event_type === 'job.new')).toHaveLength(1);
      expect(rows.filter((r) => r.event_type === 'job.ret').map((r) => [r.minion_id, r.outcome]).sort()).toEqual([
        ['web01.example.com', 'ok'],
        ['web02.example.com', 'ok'],
      ]);
      // The index follows the stream's rows by itself (no read of the job has refreshed it yet).
      const indexed = await eventually(async () => {
        const [r] = await ops.db.query<{ status: string; returned: number }>('SELECT status, returned FROM salt_jobs WHERE jid = $1', [res.body.jid]);
        return r?.status === 'complete' ? r : null;
      }, 10_000, 100);
      expect(indexed.returned).toBe(2);
      const job = await complete(res.body.jid);
      expect(job).toMatchObject({ fun: 'test.ping', source: 'salt-api', requested_by: 'olga', counts: { targeted: 2, returned: 2, pending: 0 } });
      expect(job.minions.map((m) => [m.id, m.state, m.outcome, m.retcode, m.return])).toEqual([
        ['web01.example.com', 'returned', 'ok', 0, true],
        ['web02.example.com', 'returned', 'ok', 0, true],
      ]);
    });

    it('should return the state results of a state run with changes, retcode and duration per minion', async () => {
      const res = await ops.as['olga'].post<RunReply>('/api/run', { target: 'db01.example.com', fun: 'state.apply', args: ['postgres'], kwargs: { test: false } });
      expect(res.status).toBe(202);
      const job = await complete(res.body.jid);
      const [m] = job.minions;
      expect(m).toMatchObject({ id: 'db01.example.com', state: 'returned', targeted: true });
      expect(Array.isArray(m.states) && m.states.length).toBeTruthy();
      expect(m.states?.every((s) => typeof s.function === 'string')).toBe(true);
      expect(typeof m.duration_ms).toBe('number');
      expect(typeof m.changes_count).toBe('number');
      expect(['ok', 'changes', 'failed']).toContain(m.outcome);
    });

    it('should answer 400 naming the field when the body is invalid, and dispatch nothing', async () => {
      const before = await ops.control.published();
      const cases: [unknown, RegExp][] = [
        [{ target: 'web*' }, /^fun: /],
        [{ target: 'web*', fun: 'rm -rf' }, /^fun: /],
        [{ fun: 'test.ping' }, /^target: /],
        [{ target: 'web*', fun: 'test.ping', target_type: 'range' }, /^target_type: /],
        [{ target: 'web*', fun: 'test.ping', args: 'x' }, /^args: /],
        [{ target: 'web*', fun: 'test.ping', kwargs: [1] }, /^kwargs: /],
        [{ target: 'web(', target_type: 'pcre', fun: 'test.ping' }, /^target: /],
        [{ target: 'nothing-matches*', fun: 'test.ping' }, /^target: .*matches no minion/],
      ];
      for (const [body, message] of cases) {
        const r = await ops.as['olga'].post<ErrorEnvelope>('/api/run', body);
        expect([r.status, r.body.message]).toEqual([400, expect.stringMatching(message)]);
      }
      expect(await ops.control.published()).toBe(before);
    });
  });

  describe('the permission matrix of POST /api/run', () => {
    it('should refuse a caller without run:job in the guard, audited as deny, and publish nothing', async () => {
      const before = await ops.control.published();
      for (const user of ['vic', 'nobody']) {
        const { res, row } = await audited(ops.db, `run-${user}`, (h) => ops.as[user].post('/api/run', { target: 'web01.example.com', fun: 'test.ping' }, h));
        expect(res.status).toBe(403);
        expect(await row()).toMatchObject({ action: 'salt.run', decision: 'deny', result_code: 403, salt_jid: null });
      }
      expect(await ops.control.published()).toBe(before);
    });

    it('should let run:job:web* target web minions, publishing the expression when it cannot leave the grant', async () => {
      const { res, row } = await audited(ops.db, 'run-webby', (h) => ops.as['webby'].post<RunReply>('/api/run', { target: 'web0*', fun: 'test.ping' }, h));
      expect(res.status).toBe(202);
      expect(res.body.minions).toEqual(WEB);
      expect((await ops.control.jobs())[res.body.jid]).toMatchObject({ Target: 'web0*' });
      expect(await row()).toMatchObject({ decision: 'allow', result_code: 202, salt_jid: res.body.jid });
    });

    it('should publish the checked list when a narrow grant meets an expression it cannot prove inside', async () => {
      const res = await ops.as['webby'].post<RunReply>('/api/run', { target: 'w*', fun: 'test.ping' });
      expect(res.status).toBe(202);
      expect(res.body.minions).toEqual(WEB);
      expect((await ops.control.jobs())[res.body.jid]).toMatchObject({ Target: WEB });

      const grain = await ops.as['webby'].post<RunReply>('/api/run', { target: 'roles:web', target_type: 'grain', fun: 'test.ping' });
      expect(grain.status).toBe(202);
      expect(grain.body.minions).toEqual(WEB);
    });

    it('should refuse (403, audited as deny) a target that reaches minions outside run:job:web*, and publish nothing', async () => {
      const before = await ops.control.published();
      const targets = [
        { target: '*' },
        { target: 'web01.example.com,db01.example.com', target_type: 'list' },
        { target: '(web|db)01', target_type: 'pcre' },
        { target: 'os:Debian', target_type: 'grain' },
      ];
      for (const t of targets) {
        const { res, row } = await audited(ops.db, 'run-out-of-scope', (h) => ops.as['webby'].post<ErrorEnvelope>('/api/run', { ...t, fun: 'test.ping' }, h));
        expect([res.status, res.body.message]).toEqual([403, expect.stringMatching(/outside your run:job grant: .*(db|app|cache|lb|mon)\d\d/)]);
        expect(await row()).toMatchObject({ action: 'salt.run', decision: 'deny', result_code: 403, salt_jid: null });
      }
      expect(await ops.control.published()).toBe(before);
    });
  });

  describe('GET /api/jobs and GET /api/jobs/:jid', () => {
    it('should list jobs newest first with filters and paging', async () => {
      const a = await ops.as['olga'].post<RunReply>('/api/run', { target: 'app*', fun: 'test.version' });
      const b = await ops.as['olga'].post<RunReply>('/api/run', { target: 'lb*', fun: 'test.version' });
      await complete(b.body.jid);
      const page = await ops.admin.get<JobsPage>('/api/jobs?function=test.version&limit=1');
      expect(page.status).toBe(200);
      expect(page.body.items.map((j) => j.jid)).toEqual([b.body.jid]);
      const next = await ops.admin.get<JobsPage>(`/api/jobs?function=test.version&limit=1&before_cursor=${encodeURIComponent(page.body.next_before_cursor ?? '')}`);
      expect(next.body.items.map((j) => j.jid)).toEqual([a.body.jid]);
      expect((await ops.admin.get<JobsPage>('/api/jobs?user=olga&target=lb*')).body.items.map((j) => j.jid)).toEqual([b.body.jid]);
      expect((await ops.admin.get<JobsPage>(`/api/jobs?status=complete&function=test.version&since=${new Date(Date.now() - 60_000).toISOString()}`)).body.items.map((j) => j.jid)).toContain(b.body.jid);
      for (const bad of ['status=done', 'limit=0', 'since=yesterday', 'before_cursor=x']) {
        const r = await ops.admin.get<ErrorEnvelope>(`/api/jobs?${bad}`);
        expect([r.status, r.body.message.split(':')[0]]).toEqual([400, bad.split('=')[0]]);
      }
    });

    it('should scope jobs to the caller\'s view:job grant and answer 404 for jobs outside it', async () => {
      const db = await ops.as['olga'].post<RunReply>('/api/run', { target: 'db*', fun: 'test.ping' });
      const mixed = await ops.as['olga'].post<RunReply>('/api/run', { target: 'web01.example.com,db01.example.com', target_type: 'list', fun: 'test.ping' });
      await complete(mixed.body.jid);
      const seen = (await ops.as['wendy'].get<JobsPage>('/api/jobs?limit=500')).body.items.map((j) => j.jid);
      expect(seen).toContain(mixed.body.jid);
      expect(seen).not.toContain(db.body.jid);
      expect((await ops.as['wendy'].get(`/api/jobs/${db.body.jid}`)).status).toBe(404);
      const detail = await ops.as['wendy'].get<JobDetail>(`/api/jobs/${mixed.body.jid}`);
      expect(detail.body.minions.map((m) => m.id)).toEqual(['web01.example.com']);
    });

    it('should answer 404 for an unknown or malformed jid', async () => {
      expect((await ops.admin.get('/api/jobs/20200101000000000000')).status).toBe(404);
      expect((await ops.admin.get('/api/jobs/not-a-jid')).status).toBe(404);
    });

    it('should list targeted minions that have not returned as pending', async () => {
      await ops.control.control('minions/mon01.example.com/down', {});
      try {
        const res = await ops.as['olga'].post<RunReply>('/api/run', { target: 'mon01.example.com,lb01.example.com', target_type: 'list', fun: 'test.ping' });
        const job = await eventually(async () => {
          const r = await ops.admin.get<JobDetail>(`/api/jobs/${res.body.jid}`);
          return r.body.counts?.returned === 1 ? r.body : null;
        }, 10_000, 100);
        expect(job.status).toBe('running');
        expect(job.minions.map((m) => [m.id, m.state])).toEqual([
          ['lb01.example.com', 'returned'],
          ['mon01.example.com', 'pending'],
        ]);
      } finally {
        await ops.control.control('minions/mon01.example.com/up', {});
      }
    });
  });

  describe('POST /api/jobs/:jid/kill', () => {
    it('should send saltutil.kill_job to the minions still running the job, audited with the jid', async () => {
      const job = await ops.as['olga'].post<RunReply>('/api/run', { target: 'cache01.example.com', fun: 'test.sleep', args: [30] });
      expect(job.status).toBe(202);
      const { res, row } = await audited(ops.db, 'kill', (h) => ops.as['olga'].post<{ jid: string; kill_jid: string; minions: string[] }>(`/api/jobs/${job.body.jid}/kill`, {}, h));
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ jid: job.body.jid, minions: ['cache01.example.com'] });
      expect(await row()).toMatchObject({ action: 'job.kill', decision: 'allow', result_code: 202, salt_jid: job.body.jid, resource: `job:${job.body.jid}` });
      const kill = (await ops.control.jobs())[res.body.kill_jid];
      expect(kill).toMatchObject({ Function: 'saltutil.kill_job', Target: ['cache01.example.com'] });
      const killed = await eventually(async () => {
        const r = await ops.admin.get<JobDetail>(`/api/jobs/${res.body.kill_jid}`);
        return r.body.status === 'complete' ? r.body : null;
      }, 10_000, 100);
      expect(String(killed.minions[0].return)).toMatch(/Signal 9 sent to job/);
      const sleeping = (await ops.control.control<{ minions: { id: string; running: string[] }[] }>('state')).minions.find((m) => m.id === 'cache01.example.com');
      expect(sleeping?.running).not.toContain(job.body.jid);
    });

    it('should answer 409 when every minion has returned, 404 for an unknown job, and 403 without kill:job', async () => {
      const done = await ops.as['olga'].post<RunReply>('/api/run', { target: 'lb01.example.com', fun: 'test.ping' });
      await complete(done.body.jid);
      expect((await ops.as['olga'].post(`/api/jobs/${done.body.jid}/kill`)).status).toBe(409);
      expect((await ops.as['olga'].post('/api/jobs/20200101000000000000/kill')).status).toBe(404);
      const { res, row } = await audited(ops.db, 'kill-viewer', (h) => ops.as['vic'].post(`/api/jobs/${done.body.jid}/kill`, {}, h));
      expect(res.status).toBe(403);
      expect(await row()).toMatchObject({ action: 'job.kill', decision: 'deny', result_code: 403 });
    });
  });
});
