import type { SaltApiClient } from '../client/salt-api.client';
import type { SaltJobDetail, SaltJobInfo } from '../client/types';
import { normalize, NormalizerState, type NormalizedActivity } from '../normalize';
import { eventsFromJob, jobStartTime, reconcile, type StoredJob } from './reconcile';

describe('jobStartTime', () => {
  it('should read the time from a 20-digit jid', () => {
    expect(jobStartTime('20240514101500123456')?.toISOString()).toBe('2024-05-14T10:15:00.123Z');
    expect(jobStartTime('20240514101500123456_4242')?.toISOString()).toBe('2024-05-14T10:15:00.123Z');
  });

  it('should fall back to StartTime when the jid is not a timestamp', () => {
    expect(jobStartTime('req', { StartTime: '2024, May 14 10:15:00.123456' })?.toISOString()).toBe('2024-05-14T10:15:00.123Z');
    expect(jobStartTime('nocache', {})).toBeNull();
  });
});

describe('eventsFromJob', () => {
  const start = new Date('2024-05-14T10:15:00.123Z');
  const returned = new Date('2024-05-14T10:16:00Z');

  it('should rebuild the dispatch and one return per minion that normalize into job rows', () => {
    const events = eventsFromJob('20240514101500123456', {
      Function: 'state.apply', Arguments: [], Target: 'web*', 'Target-type': 'glob', User: 'alice', Minions: ['web01', 'web02'],
      Result: { web01: { return: { 'file_|-motd_|-/etc/motd_|-managed': { result: false, changes: {}, duration: 3 } }, retcode: 2, success: false, out: 'highstate' } },
    }, start, returned);
    expect(events.map((e) => e.tag)).toEqual(['salt/job/20240514101500123456/new', 'salt/job/20240514101500123456/ret/web01']);
    const state = new NormalizerState({ apiUser: 'saltapi' });
    const rows = events.map((e, i) => normalize(e, state, { occurredAt: i === 0 ? start : returned }));
    expect(rows.map((r) => (r.type === 'activity' ? [r.row.kind, r.row.outcome, r.row.initiator, r.row.target] : r.reason))).toEqual([
      ['job.new', 'dispatched', 'alice', 'web*'],
      ['job.ret', 'failed', 'alice', 'web*'],
    ]);
  });

  it('should not invent a dispatch or a user when the index entry is defaulted', () => {
    const events = eventsFromJob('20240514101500123456', { Function: 'unknown-function', User: 'root', Error: 'Cannot contact returner or no job with this jid', Result: {} }, start, returned);
    expect(events).toEqual([]);
  });

  it('should unwrap a runner return the job cache keeps as its whole event load', () => {
    const events = eventsFromJob('20240514101500123457', {
      Function: 'runner.state.orchestrate', User: 'alice', Arguments: [],
      Result: { master_master: { return: { fun: 'runner.state.orchestrate', jid: '20240514101500123457', return: { retcode: 1 }, success: false } } },
    }, start, returned);
    expect(events[1]).toMatchObject({ tag: 'salt/run/20240514101500123457/ret', data: { return: { retcode: 1 }, success: false } });
  });
});

describe('reconcile', () => {
  const from = new Date('2024-05-14T10:20:00Z');
  const to = new Date('2024-05-14T10:20:01Z');
  const info = (minions: string[]): SaltJobInfo => ({
    Function: 'state.apply', Arguments: [], Target: 'web*', 'Target-type': 'glob', User: 'alice', Minions: minions,
    Result: Object.fromEntries(minions.map((m) => [m, { return: true, retcode: 0, success: true }])),
  });

  function setup(jobs: Record<string, SaltJobInfo>, stored: Record<string, StoredJob>, job?: (jid: string) => Promise<SaltJobDetail>) {
    const asked: string[] = [];
    const client = {
      listJobs: async () => Object.fromEntries(Object.entries(jobs).map(([jid, j]) => [jid, { Function: j.Function, User: j.User }])),
      job: job ?? (async (jid: string) => {
        asked.push(jid);
        return { raw: { info: [jobs[jid]] }, info: jobs[jid], returns: {} };
      }),
    } as unknown as SaltApiClient;
    const rows: NormalizedActivity[] = [];
    const deps = {
      client,
      state: new NormalizerState({ apiUser: 'saltapi' }),
      submit: async (r: NormalizedActivity[]) => {
        rows.push(...r);
        return r.length;
      },
      storedJobs: async (jids: string[]) => new Map(jids.filter((j) => stored[j]).map((j) => [j, stored[j]])),
    };
    return { deps, rows, asked };
  }

  it('should fetch a listed job whose dispatch is not stored even when every return is', async () => {
    // Started three minutes before the gap, its returns all stored: only its job.new is missing.
    const lost = '20240514101700000001';
    const complete = '20240514101700000002';
    const { deps, rows, asked } = setup(
      { [lost]: info(['web01', 'web02']), [complete]: info(['web01']) },
      { [lost]: { dispatched: false, answered: 2, expected: 2 }, [complete]: { dispatched: true, answered: 1, expected: 1 } },
    );
    const r = await reconcile(deps, from, to);
    expect(asked).toEqual([lost]);
    expect(rows.filter((x) => x.kind === 'job.new').map((x) => x.jid)).toEqual([lost]);
    expect(r).toMatchObject({ candidates: 2, fetched: 1, unfetched: [] });
  });

  it('should recover the other jobs and name the one it could not read when a lookup keeps failing', async () => {
    const ok = '20240514101950000001';
    const flaky = '20240514101950000002';
    const broken = '20240514101950000003';
    const jobs: Record<string, SaltJobInfo> = { [ok]: info(['web01']), [flaky]: info(['web02']), [broken]: info(['web03']) };
    let flakyCalls = 0;
    const { deps, rows } = setup(jobs, {}, async (jid) => {
      if (jid === broken || (jid === flaky && flakyCalls++ === 0)) throw new Error('socket hang up');
      return { raw: { info: [jobs[jid]] }, info: jobs[jid], returns: {} };
    });
    const r = await reconcile(deps, from, to, { concurrency: 1 });
    expect(r).toMatchObject({ candidates: 3, fetched: 2, recovered: 4, unfetched: [broken] });
    expect(new Set(rows.map((x) => x.jid))).toEqual(new Set([ok, flaky]));
  });
});
