import { emptyFact, factFromActivity, factFromJobsIndex, isHighstate, jidTime, mergeFacts, positionalArgs } from './job-facts';

describe('job facts', () => {
  it('should read a job start from a jid and nothing from other ids', () => {
    expect(jidTime('20240514102058700312')).toBe('2024-05-14T10:20:58.700Z');
    expect(jidTime('20240514102058700312_2')).toBe('2024-05-14T10:20:58.700Z');
    expect(jidTime('req')).toBeNull();
    expect(jidTime('20241314102058700312')).toBeNull();
  });

  it('should tell a highstate from a state.apply of named states', () => {
    expect(isHighstate('state.highstate', null)).toBe(true);
    expect(isHighstate('state.apply', [])).toBe(true);
    expect(isHighstate('state.apply', [{ __kwarg__: true, test: true }])).toBe(true);
    expect(isHighstate('state.apply', ['test=True'])).toBe(true);
    expect(isHighstate('state.apply', ['nginx'])).toBe(false);
    expect(isHighstate('state.apply', null)).toBeNull();
    expect(isHighstate('test.ping', [])).toBe(false);
    expect(positionalArgs(['a', 'k=v', { __kwarg__: true }])).toEqual(['a']);
  });

  it('should merge facts about one jid: the dispatch header wins, returns are unioned, a real return beats a no-return', () => {
    const ret = Object.assign(emptyFact('1'), { fun: 'x', initiator: 'root', returns: [{ minion_id: 'b', outcome: 'ok' as const, retcode: 0, at: '2024-01-01T00:00:01Z' }] });
    const late = Object.assign(emptyFact('1'), { returns: [{ minion_id: 'b', outcome: 'noreturn' as const, retcode: null, at: '2024-01-01T00:00:09Z' }] });
    const dispatch = Object.assign(emptyFact('1', true), { fun: 'state.apply', initiator: 'saltapi', expected: ['b', 'a', 'b'] });
    const [m] = mergeFacts([ret, late, dispatch]);
    expect(m).toMatchObject({ fun: 'state.apply', initiator: 'saltapi', authoritative: true, expected: ['a', 'b'] });
    expect(m.returns).toEqual([{ minion_id: 'b', outcome: 'ok', retcode: 0, at: '2024-01-01T00:00:01Z' }]);
  });

  it('should turn activity rows into facts: dispatches, minion and runner returns, no-returns', () => {
    const base = { occurred_at: '2024-05-14T10:21:00Z', jid: '20240514102058700312', fun: 'test.ping', initiator: 'saltapi', target: 'web*', target_type: 'glob', retcode: null };
    expect(factFromActivity({ ...base, event_type: 'job.new', minion_id: null, outcome: 'dispatched' }, ['web01'])).toMatchObject({ authoritative: true, expected: ['web01'], started_at: base.occurred_at });
    expect(factFromActivity({ ...base, event_type: 'job.ret', minion_id: 'web01', outcome: 'failed', retcode: 1 }, null)?.returns).toEqual([
      { minion_id: 'web01', outcome: 'failed', retcode: 1, at: base.occurred_at },
    ]);
    expect(factFromActivity({ ...base, event_type: 'job.ret', minion_id: null, outcome: 'changes', fun: 'runner.state.orch' }, null)?.runner_outcome).toBe('changes');
    expect(factFromActivity({ ...base, event_type: 'job.noreturn', minion_id: 'web02', outcome: 'noreturn' }, null)?.returns[0].outcome).toBe('noreturn');
    expect(factFromActivity({ ...base, event_type: 'key.accept', jid: null, minion_id: 'x', outcome: 'accepted' }, null)).toBeNull();
  });

  it('should read the jobs runner: header, Sylvite metadata, expected minions and classified results', () => {
    const f = factFromJobsIndex('20240514102058700312', {
      Function: 'cmd.run', Arguments: ['false'], Target: ['a', 'b'], 'Target-type': 'list', User: 'saltapi', Metadata: { sylvite_user: 'olga', sylvite_request_id: 'r1' },
      Minions: ['a', 'b'], Result: { a: { return: '', retcode: 1, success: false } },
    }, true);
    expect(f).toMatchObject({ fun: 'cmd.run', target: 'a,b', requested_by: 'olga', request_id: 'r1', expected: ['a', 'b'] });
    expect(f?.returns).toEqual([{ minion_id: 'a', outcome: 'failed', retcode: 1, at: null }]);
    expect(factFromJobsIndex('1', { Function: 'unknown-function' })).toBeNull();
    expect(factFromJobsIndex('1', { Function: 'test.ping', Error: 'Cannot contact returner or no job with this jid' })).toBeNull();
  });
});
