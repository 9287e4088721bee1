import { aJobNew, aJobReturn } from './__fixtures__/events';
import { BoundedMap } from './bounded-map';
import { jobContextFromIndex } from './jobs-index';
import { normalize } from './normalize';
import { noReturnRows, type TrackedJob } from './noreturn';
import { NormalizerState } from './state';

describe('BoundedMap', () => {
  it('should forget the least recently used entry when it is over capacity', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2);
    expect(m.get('a')).toBe(1); // a is now the most recent
    m.set('c', 3);
    expect([m.has('a'), m.has('b'), m.has('c'), m.size]).toEqual([true, false, true, 2]);
  });

  it('should refuse a capacity that is not a positive integer', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });
});

describe('NormalizerState', () => {
  it('should keep at most jobCacheSize jobs when the stream runs for long', () => {
    const state = new NormalizerState({ jobCacheSize: 3 });
    for (let i = 0; i < 10; i++) {
      normalize(aJobNew({ jid: `2024051412000000000${i}` }), state, { receivedAt: new Date() });
    }
    expect(state.jobCount).toBe(3);
    expect(state.job('20240514120000000000')).toBeUndefined();
    expect(state.job('20240514120000000009')?.initiator).toBe('saltapi');
  });

  it('should keep fields learned earlier when the jobs index knows less', () => {
    const state = new NormalizerState();
    normalize(aJobNew({ jid: '20240514120000000001', user: 'sudo_dan' }), state, { receivedAt: new Date() });
    state.applyJobsIndex('20240514120000000001', { info: [{ Function: 'state.apply', Target: 'web*', Error: 'gone' }] });
    expect(state.job('20240514120000000001')).toMatchObject({ initiator: 'sudo_dan', target: 'web*', fun: 'state.apply' });
  });
});

describe('jobContextFromIndex', () => {
  it('should read initiator, target and minions when the jobs index knows the job', () => {
    expect(
      jobContextFromIndex('1', {
        info: [{ Function: 'test.ping', Target: ['a', 'b'], 'Target-type': 'list', User: 'saltapi', Minions: ['a', 'b'] }],
      }),
    ).toEqual({ jid: '1', fun: 'test.ping', initiator: 'saltapi', target: 'a,b', targetType: 'list', dispatchedAt: null, minions: ['a', 'b'] });
  });

  it('should drop the defaults jobs.list_job invents when the job load is missing', () => {
    expect(
      jobContextFromIndex('1', {
        info: [{ Function: 'unknown-function', Target: 'unknown-target', 'Target-type': 'list', User: 'root', Minions: [] }],
      }),
    ).toBeNull();
    expect(
      jobContextFromIndex('1', {
        info: [{ Error: 'Cannot contact returner or no job with this jid', StartTime: '', Result: {} }],
      }),
    ).toBeNull();
  });
});

describe('job.noreturn', () => {
  const dispatched = new Date('2024-05-14T12:00:00.000Z');
  const tracked = (pending: string[] | null, at: Date | null = dispatched): TrackedJob => ({
    ctx: { jid: 'J1', fun: 'state.apply', initiator: 'saltapi', target: 'web*', targetType: 'glob', dispatchedAt: at, minions: ['web01', 'web02'] },
    pending: pending ? new Set(pending) : null,
  });

  it('should yield nothing before the deadline', () => {
    expect(noReturnRows([tracked(['web02'])], new Date('2024-05-14T12:04:59.999Z'), 5 * 60_000)).toEqual([]);
  });

  it('should yield one row per silent minion at the deadline, dated at the deadline', () => {
    const now = new Date('2024-05-14T13:00:00Z');
    const rows = noReturnRows([tracked(['web02'])], now, 5 * 60_000);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'job.noreturn',
      category: 'job',
      outcome: 'noreturn',
      jid: 'J1',
      minionId: 'web02',
      fun: 'state.apply',
      initiator: 'saltapi',
      target: 'web*',
      dedupeKey: 'J1|web02|job.noreturn',
      summary: 'web02 did not return state.apply within 5 min 0 s',
      receivedAt: now,
    });
    expect(rows[0].occurredAt.toISOString()).toBe('2024-05-14T12:05:00.000Z');
  });

  it('should skip jobs with nobody pending or no known dispatch time', () => {
    const now = new Date('2024-05-15T00:00:00Z');
    expect(noReturnRows([tracked(null), tracked([]), tracked(['web01'], null)], now, 60_000)).toEqual([]);
  });

  it('should report each silent minion once and still store a late return when the state sweeps', () => {
    const state = new NormalizerState();
    const meta = { receivedAt: new Date('2024-05-14T12:00:01Z') };
    normalize(aJobNew({ _stamp: '2024-05-14T12:00:00' }), state, meta);
    normalize(aJobReturn({ id: 'web01' }), state, meta);
    const late = new Date('2024-05-14T12:20:00Z');
    expect(state.sweepNoReturns(new Date('2024-05-14T12:09:00Z'), 10 * 60_000)).toEqual([]);
    expect(state.sweepNoReturns(late, 10 * 60_000).map((r) => r.minionId)).toEqual(['web02']);
    expect(state.sweepNoReturns(late, 10 * 60_000)).toEqual([]);
    const r = normalize(aJobReturn({ id: 'web02' }), state, { receivedAt: late });
    expect(r).toMatchObject({ type: 'activity', row: { kind: 'job.ret', minionId: 'web02', initiator: 'saltapi' } });
  });

  it('should not report minions that returned before the sweep', () => {
    const state = new NormalizerState();
    const meta = { receivedAt: new Date('2024-05-14T12:00:01Z') };
    normalize(aJobNew({ _stamp: '2024-05-14T12:00:00' }), state, meta);
    normalize(aJobReturn({ id: 'web01' }), state, meta);
    normalize(aJobReturn({ id: 'web02' }), state, meta);
    expect(state.sweepNoReturns(new Date('2024-05-15T00:00:00Z'), 60_000)).toEqual([]);
  });
});
