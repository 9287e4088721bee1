import { eventually } from '../support/client';
import { startOps, stopOps, type Ops } from './ops-support';

interface JobsPage {
  items: { jid: string; fun: string; status: string; user: string | null; requested_by: string | null; counts: { targeted: number; returned: number } }[];
}

/** With the event stream off, the jobs index follows salt-api's jobs runner on a schedule. */
describe('operations: the jobs index with the event stream off', () => {
  let ops: Ops;

  beforeAll(async () => {
    ops = await startOps({ stream: false, env: { SYLVITE_JOBS_POLL_SECONDS: '1' } });
  });

  afterAll(async () => {
    await stopOps(ops);
  });

  const find = (jid: string) => async () => (await ops.admin.get<JobsPage>('/api/jobs?limit=500')).body.items.find((j) => j.jid === jid);

  it('should list a job dispatched through the console at once and complete it from the jobs runner', async () => {
    const res = await ops.as['olga'].post<{ jid: string }>('/api/run', { target: 'web*', fun: 'test.ping' });
    expect(res.status).toBe(202);
    expect(await find(res.body.jid)()).toMatchObject({ fun: 'test.ping', requested_by: 'olga', counts: { targeted: 4 } });
    const done = await eventually(async () => {
      const j = await find(res.body.jid)();
      return j?.status === 'complete' ? j : null;
    }, 15_000, 250);
    expect(done.counts).toMatchObject({ targeted: 4, returned: 4 });
    // Nothing came through the event stream: the activity store has no row of this job.
    expect(await ops.db.query('SELECT 1 FROM activity_events WHERE jid = $1', [res.body.jid])).toEqual([]);
  });

  it('should discover a job started outside the console (the master CLI) with its returns', async () => {
    const cli = await ops.control.control<{ jid: string }>('jobs', { tgt: 'db*', fun: 'test.version', user: 'root' });
    const job = await eventually(async () => {
      const j = await find(cli.jid)();
      return j?.status === 'complete' ? j : null;
    }, 15_000, 250);
    expect(job).toMatchObject({ fun: 'test.version', user: 'root', requested_by: null, counts: { targeted: 2, returned: 2 } });
  });
});
