import { aStateEntry } from './__fixtures__/events';
import {
  analyzeMinionReturn,
  analyzeRunnerReturn,
  parseDuration,
  stateEntries,
  successOf,
  worstRetcode,
} from './returns';

function states(...entries: Record<string, unknown>[]): Record<string, unknown> {
  const ret: Record<string, unknown> = {};
  entries.forEach((e, i) => (ret[`file_|-f${i}_|-/etc/f${i}_|-managed`] = e));
  return ret;
}

describe('worstRetcode', () => {
  it.each([
    [0, 0],
    [2, 2],
    [{ 'test.ping': 0, 'cmd.run': 0 }, 0],
    [{ 'test.ping': 0, 'cmd.run': 3 }, 3],
    [{ a: 1, b: 127 }, 127],
    [[0, 5, 1], 5],
    [{ a: 0, b: -1 }, -1],
    [null, null],
    [undefined, null],
    ['2', null],
  ])('should read %j as %j when it is the retcode', (input, expected) => {
    expect(worstRetcode(input)).toBe(expected);
  });
});

describe('successOf', () => {
  it.each([
    [true, true],
    [false, false],
    [{ 'test.ping': true, 'cmd.run': false }, false],
    [{ 'test.ping': true }, true],
    [{}, null],
    [undefined, null],
  ])('should read %j as %j when it is the success flag', (input, expected) => {
    expect(successOf(input)).toBe(expected);
  });
});

describe('parseDuration', () => {
  it.each([
    [45.872, 45.872],
    ['2917.404 ms', 2917.404],
    ['12ms', 12],
    ['12.5', 12.5],
    ['fast', null],
    [null, null],
    [undefined, null],
    [-3, null],
    [Number.NaN, null],
  ])('should read %j as %j when it is a state duration', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });
});

describe('stateEntries', () => {
  it('should find no states when the return is not a state dict', () => {
    expect(stateEntries(true)).toBeNull();
    expect(stateEntries('text')).toBeNull();
    expect(stateEntries(['Pillar failed to render'])).toBeNull();
    expect(stateEntries({ osrelease: '12' })).toBeNull();
    expect(stateEntries({})).toBeNull();
  });

  it('should skip keys without the state separator when fire_ret_load added some', () => {
    const entries = stateEntries({ ...states(aStateEntry()), retcode: 2, jid: '1' });
    expect(entries).toHaveLength(1);
  });
});

describe('analyzeMinionReturn', () => {
  it('should be failed when retcode is non-zero even though success is true (schedule returns)', () => {
    const a = analyzeMinionReturn({ retcode: 2, success: true, return: states(aStateEntry()) });
    expect(a.outcome).toBe('failed');
    expect(a.retcode).toBe(2);
  });

  it('should be failed when any value of a retcode object is non-zero', () => {
    const a = analyzeMinionReturn({
      fun: ['test.ping', 'cmd.run'],
      retcode: { 'test.ping': 0, 'cmd.run': 1 },
      success: { 'test.ping': true, 'cmd.run': false },
      return: { 'test.ping': true, 'cmd.run': 'boom' },
    });
    expect(a).toMatchObject({ outcome: 'failed', retcode: 1, success: false });
  });

  it('should be failed when success is false and there is no retcode', () => {
    expect(analyzeMinionReturn({ success: false, return: 'x' }).outcome).toBe('failed');
    expect(analyzeMinionReturn({ success: false, retcode: null, return: 'x' }).outcome).toBe('failed');
  });

  it('should classify on retcode when success is false but retcode is 0', () => {
    expect(analyzeMinionReturn({ success: false, retcode: 0, return: 'x' }).outcome).toBe('ok');
  });

  it('should be failed when a state result is false although retcode is 0', () => {
    const a = analyzeMinionReturn({
      retcode: 0,
      success: true,
      return: states(aStateEntry({ result: false }), aStateEntry({ changes: { x: 1 } })),
    });
    expect(a).toMatchObject({ outcome: 'failed', failedCount: 1, changesCount: 1, stateCount: 2 });
  });

  it('should be changes when it succeeded and a state has non-empty changes', () => {
    const a = analyzeMinionReturn({
      retcode: 0,
      return: states(aStateEntry(), aStateEntry({ changes: { diff: '+x' } })),
    });
    expect(a).toMatchObject({ outcome: 'changes', changesCount: 1, failedCount: 0 });
  });

  it('should be would_change when the only changes come from result null (test mode)', () => {
    const a = analyzeMinionReturn({
      retcode: 0,
      return: states(aStateEntry({ result: null, changes: { diff: '+x' } }), aStateEntry()),
    });
    expect(a).toMatchObject({ outcome: 'would_change', changesCount: 1 });
  });

  it('should be changes when real changes sit beside test-mode ones', () => {
    const a = analyzeMinionReturn({
      retcode: 0,
      return: states(aStateEntry({ result: null, changes: { a: 1 } }), aStateEntry({ changes: { b: 2 } })),
    });
    expect(a.outcome).toBe('changes');
  });

  it('should be ok when result null has no changes (prereq)', () => {
    expect(analyzeMinionReturn({ retcode: 0, return: states(aStateEntry({ result: null })) }).outcome).toBe('ok');
  });

  it('should sum numeric and "N ms" durations and tolerate entries without one', () => {
    const a = analyzeMinionReturn({
      retcode: 0,
      return: states(
        aStateEntry({ duration: 0.1 }),
        aStateEntry({ duration: '0.2 ms' }),
        aStateEntry({ duration: undefined }),
      ),
    });
    expect(a.durationMs).toBe(0.3);
    expect(a.stateCount).toBe(3);
  });

  it('should not invent a duration when no state carries one or the function returns no states', () => {
    expect(analyzeMinionReturn({ retcode: 2, return: states({ result: false, changes: {} }) }).durationMs).toBeNull();
    expect(analyzeMinionReturn({ retcode: 0, return: 'up 41 days' })).toMatchObject({
      durationMs: null,
      stateCount: null,
      changesCount: null,
      failedCount: null,
    });
  });

  it('should read the states of a state function inside a multi-function return', () => {
    const a = analyzeMinionReturn({
      fun: ['test.ping', 'state.apply'],
      retcode: { 'test.ping': 0, 'state.apply': 0 },
      return: { 'test.ping': true, 'state.apply': states(aStateEntry({ changes: { a: 1 }, duration: 5 })) },
    });
    expect(a).toMatchObject({ outcome: 'changes', durationMs: 5, stateCount: 1 });
  });
});

describe('analyzeRunnerReturn', () => {
  const orchestration = (entry: Record<string, unknown>, retcode = 0, success = true) => ({
    success,
    return: { data: { master_id: states(entry) }, outputter: 'highstate', retcode },
  });

  it('should take retcode from return.retcode and time only the top-level entries', () => {
    const nested = { ret: { web01: states(aStateEntry({ duration: 999 })) } };
    const a = analyzeRunnerReturn(orchestration(aStateEntry({ changes: nested, duration: '100.5 ms' })));
    expect(a).toMatchObject({ outcome: 'changes', retcode: 0, durationMs: 100.5, stateCount: 1 });
  });

  it('should be failed when return.retcode is non-zero', () => {
    expect(analyzeRunnerReturn(orchestration(aStateEntry(), 1)).outcome).toBe('failed');
  });

  it('should be failed when success is false and the runner gives no retcode', () => {
    expect(analyzeRunnerReturn({ success: false, return: 'Exception occurred' })).toMatchObject({
      outcome: 'failed',
      retcode: null,
    });
  });

  it('should be ok when a plain runner succeeded', () => {
    expect(analyzeRunnerReturn({ success: true, return: { web01: true } })).toMatchObject({
      outcome: 'ok',
      durationMs: null,
    });
  });
});
