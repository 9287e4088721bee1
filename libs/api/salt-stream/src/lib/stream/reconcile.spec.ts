import { normalize, NormalizerState } from '../normalize';
import { eventsFromJob, jobStartTime } from './reconcile';

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
