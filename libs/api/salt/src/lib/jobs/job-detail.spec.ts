import { detailFromLive, splitStateKey, stateResults } from './job-detail';

const STATES = {
  'pkg_|-nginx_|-nginx_|-installed': { name: 'nginx', result: true, changes: {}, comment: 'ok', __run_num__: 1, duration: 12.5, __sls__: 'nginx' },
  'file_|-/etc/motd_|-/etc/motd_|-managed': { name: '/etc/motd', result: true, changes: { diff: '+x' }, comment: 'updated', __run_num__: 0, duration: '3.5 ms' },
  retcode: 2,
};

describe('job detail', () => {
  it('should split a state key from both ends when the name holds the separator', () => {
    expect(splitStateKey('file_|-motd_|-/etc/motd_|-managed')).toEqual({ state: 'file', id: 'motd', name: '/etc/motd', function: 'managed' });
    expect(splitStateKey('cmd_|-x_|-echo _|- y_|-run')).toEqual({ state: 'cmd', id: 'x', name: 'echo _|- y', function: 'run' });
  });

  it('should list state results in execution order with durations in ms, skipping keys that are not states', () => {
    const r = stateResults(STATES);
    expect(r?.map((s) => [s.state, s.function, s.run_num, s.duration_ms])).toEqual([
      ['file', 'managed', 0, 3.5],
      ['pkg', 'installed', 1, 12.5],
    ]);
    expect(stateResults('not a state run')).toBeNull();
  });

  it('should show every targeted minion, returned ones classified and silent ones pending', () => {
    const d = detailFromLive('20240514102058700312', {
      Function: 'state.apply', Arguments: [], Target: 'web*', 'Target-type': 'glob', User: 'saltapi',
      Minions: ['web01', 'web02'], Result: { web01: { return: STATES, retcode: 0, success: true } },
    }, null, Date.parse('2024-05-14T10:21:30Z'));
    expect(d).toMatchObject({ status: 'running', outcome: 'changes', source: 'salt-api', counts: { targeted: 2, returned: 1, pending: 1, failed: 0 } });
    expect(d.minions.map((m) => [m.id, m.state, m.outcome, m.changes_count, m.duration_ms])).toEqual([
      ['web01', 'returned', 'changes', 1, 16],
      ['web02', 'pending', null, null, null],
    ]);
    expect(d.minions[0].states).toHaveLength(2);
    expect(d.minions[0]).not.toHaveProperty('return');
  });

  it('should mark a silent minion as not returned once the no-return deadline has passed', () => {
    const info = { Function: 'test.ping', Minions: ['a', 'b'], Result: { a: { return: true, retcode: 0, success: true } } };
    const started = Date.parse('2024-05-14T10:20:58.700Z');
    const early = detailFromLive('20240514102058700312', info, null, started + 60_000);
    expect([early.status, early.minions[1].state]).toEqual(['running', 'pending']);
    const late = detailFromLive('20240514102058700312', info, null, started + 16 * 60_000);
    expect([late.status, late.minions[1].state, late.counts.noreturn, late.outcome]).toEqual(['complete', 'noreturn', 1, 'ok']);
  });
});
