import { JID, aJobNew, aJobReturn, aRunner, aStateEntry, aStateReturn } from './__fixtures__/events';
import { normalize } from './normalize';
import { NormalizerState, type NormalizerOptions } from './state';
import type { NormalizeResult, NormalizedActivity, SaltEvent } from './types';

const RECEIVED = new Date('2024-05-14T12:30:00.000Z');

function setup(options: NormalizerOptions = {}) {
  const state = new NormalizerState({ apiUser: 'saltapi', ...options });
  const run = (event: SaltEvent): NormalizeResult => normalize(event, state, { receivedAt: RECEIVED });
  const row = (event: SaltEvent): NormalizedActivity => {
    const r = run(event);
    if (r.type !== 'activity') throw new Error(`expected a row, got ignored: ${r.reason}`);
    return r.row;
  };
  return { state, run, row };
}

describe('normalize: jobs', () => {
  it('should ignore find_job polls and their returns when a sync client waits for stragglers', () => {
    const { run, state } = setup();
    expect(run(aJobNew({ jid: '20240514120000000009', fun: 'saltutil.find_job', tgt_type: 'list', arg: [JID] }))).toEqual({
      type: 'ignored',
      reason: 'find_job',
    });
    expect(run(aJobReturn({ jid: '20240514120000000009', fun: 'saltutil.find_job', return: {} }))).toEqual({
      type: 'ignored',
      reason: 'find_job',
    });
    expect(state.job('20240514120000000009')).toBeUndefined();
  });

  it('should join list targets and multi-function names the way the Salt CLI writes them', () => {
    const { row } = setup();
    const r = row(aJobNew({ tgt: ['web01', 'web02'], tgt_type: 'list', fun: ['test.ping', 'cmd.run'] }));
    expect(r).toMatchObject({ target: 'web01,web02', fun: 'test.ping,cmd.run', targetType: 'list', minions: ['web01', 'web02'] });
  });

  it('should fill initiator and target from the remembered job.new when the return lacks them', () => {
    const hook = jest.fn();
    const { row, state } = setup({ onBackfillNeeded: hook });
    row(aJobNew({ user: 'sudo_carol', tgt: 'db*', tgt_type: 'glob' }));
    const ret = row(aJobReturn({ user: undefined }));
    expect(ret).toMatchObject({ initiator: 'sudo_carol', target: 'db*', targetType: 'glob', needsBackfill: false });
    expect(hook).not.toHaveBeenCalled();
    expect(state.jobCount).toBe(1);
  });

  it('should call the backfill hook once per jid and flag every such return when job.new was missed', () => {
    const hook = jest.fn();
    const { row } = setup({ onBackfillNeeded: hook });
    const a = row(aJobReturn({ id: 'web01', user: undefined }));
    const b = row(aJobReturn({ id: 'web02', user: undefined }));
    expect([a.needsBackfill, b.needsBackfill]).toEqual([true, true]);
    expect(hook.mock.calls).toEqual([[JID]]);
  });

  it('should use the jobs index answer for later returns when the connector feeds it back', () => {
    const { row, state } = setup();
    row(aJobReturn({ id: 'web01', user: undefined }));
    state.applyJobsIndex(JID, {
      info: [{ jid: JID, Function: 'test.ping', Target: 'web*', 'Target-type': 'glob', User: 'saltapi', Minions: ['web01', 'web02'] }],
      return: [{ web01: true }],
    });
    expect(row(aJobReturn({ id: 'web02', user: undefined }))).toMatchObject({
      initiator: 'saltapi',
      target: 'web*',
      targetType: 'glob',
      needsBackfill: false,
    });
  });

  it('should name the schedule as initiator and not backfill when a minion-scheduled job returns', () => {
    const hook = jest.fn();
    const { row } = setup({ onBackfillNeeded: hook });
    const r = row(aJobReturn({ user: undefined, schedule: 'hourly', tgt: 'web01', tgt_type: 'glob', pid: 1 }));
    expect(r).toMatchObject({ initiator: 'schedule:hourly', target: 'web01', needsBackfill: false });
    expect(hook).not.toHaveBeenCalled();
  });

  it('should accept jids that are not 20 digits when unique_jid or placeholders are used', () => {
    const hook = jest.fn();
    const { row } = setup({ onBackfillNeeded: hook });
    // No target known yet: a real jid (even with a _pid suffix) is worth a lookup, a placeholder is not.
    const unique = row(aJobReturn({ jid: '20240514120000000001_4242' }));
    expect(unique).toMatchObject({ jid: '20240514120000000001_4242', needsBackfill: true });
    expect(row(aJobReturn({ jid: 'req' })).needsBackfill).toBe(false);
    expect(hook.mock.calls).toEqual([['20240514120000000001_4242']]);
    expect(unique.dedupeKey).toBe('20240514120000000001_4242|web01|job.ret');
    const a = row(aJobReturn({ jid: 'nocache', schedule: 's', _stamp: '2024-05-14T12:00:01' }));
    const b = row(aJobReturn({ jid: 'nocache', schedule: 's', _stamp: '2024-05-14T13:00:01' }));
    expect(a.dedupeKey).not.toBe(b.dedupeKey);
  });

  it('should fall back to the receipt time when _stamp is missing and prefer an explicit occurredAt', () => {
    const { state } = setup();
    const noStamp = normalize(aJobReturn({ _stamp: undefined }), state, { receivedAt: RECEIVED });
    expect(noStamp.type === 'activity' && noStamp.row.occurredAt).toEqual(RECEIVED);
    const at = new Date('2024-05-14T11:00:00Z');
    const rebuilt = normalize(aJobReturn({ _stamp: undefined }), state, { receivedAt: RECEIVED, occurredAt: at });
    expect(rebuilt.type === 'activity' && rebuilt.row.occurredAt).toEqual(at);
  });

  it('should flag a test-mode state run as would_change and count its states when it returns', () => {
    const { row } = setup();
    const r = row(aStateReturn([aStateEntry({ result: null, changes: { diff: '+x' }, duration: 5 }), aStateEntry({ duration: '7 ms' })]));
    expect(r).toMatchObject({ outcome: 'would_change', changesCount: 1, stateCount: 2, failedCount: 0, durationMs: 12 });
  });

  it('should ignore a malformed return when it names no minion', () => {
    const { run } = setup();
    expect(run({ tag: `salt/job/${JID}/ret/`, data: { jid: JID, retcode: 0 } })).toEqual({ type: 'ignored', reason: 'malformed' });
    expect(run({ tag: `salt/job/${JID}/new`, data: 'nope' })).toEqual({ type: 'ignored', reason: 'malformed' });
  });

  it('should bound the stored raw when a return is bigger than the cap', () => {
    const { row } = setup({ rawCapBytes: 1024 });
    const r = row(aJobReturn({ fun: 'cmd.run', return: 'x'.repeat(5000) }));
    expect(r.raw.truncated).toBe(true);
    expect(r.raw.text.length).toBe(1024);
    expect(r.raw.size).toBeGreaterThan(5000);
  });
});

describe('normalize: runners', () => {
  it('should ignore the jobs lookups made by the API user when Sylvite backfills', () => {
    const { run } = setup();
    expect(run(aRunner('new', 'runner.jobs.list_job', { fun_args: [{ jid: JID }] }))).toEqual({
      type: 'ignored',
      reason: 'own-runner',
    });
    expect(run(aRunner('ret', 'runner.jobs.list_jobs', { return: {}, success: true }))).toEqual({
      type: 'ignored',
      reason: 'own-runner',
    });
  });

  it('should keep the same lookups as activity when another user runs them', () => {
    const { row } = setup();
    expect(row(aRunner('new', 'runner.jobs.list_job', { user: 'sudo_alice' }))).toMatchObject({
      kind: 'job.new',
      runner: true,
      initiator: 'sudo_alice',
    });
  });

  it('should follow a change of API user when the settings change', () => {
    const { run, state } = setup();
    state.setApiUser('svc-sylvite');
    expect(run(aRunner('new', 'runner.jobs.list_job')).type).toBe('activity');
    expect(run(aRunner('new', 'runner.jobs.list_job', { user: 'svc-sylvite' }))).toEqual({ type: 'ignored', reason: 'own-runner' });
  });

  it('should classify a runner return from success and return.retcode', () => {
    const { row } = setup();
    const failed = row(aRunner('ret', 'runner.state.orchestrate', { success: true, return: { data: {}, retcode: 1 } }));
    expect(failed).toMatchObject({ kind: 'job.ret', outcome: 'failed', retcode: 1, minionId: null });
    const ok = row(aRunner('ret', 'runner.manage.versions', { success: true, return: { up: [] } }, '20240514120500000003'));
    expect(ok).toMatchObject({ outcome: 'ok', retcode: null });
  });
});

describe('normalize: tags that are not activity', () => {
  it.each([
    [{ tag: '20240514101500123456', data: { minions: ['web01'] } }, 'bare-jid'],
    [{ tag: '20240514101500123456_77', data: { minions: ['web01'] } }, 'bare-jid'],
    [{ tag: 'salt/wheel/20240514105110350017/new', data: { fun: 'wheel.key.accept' } }, 'wheel'],
    [{ tag: 'salt/job/20240514103001884210/sub/db01/error/state.sls', data: {} }, 'side-event'],
    [{ tag: 'salt/job/20240514103001884210/prog/db01/0', data: {} }, 'side-event'],
    [{ tag: 'pkg.installed', data: { result: false } }, 'side-event'],
    [{ tag: 'salt/job/error', data: {} }, 'publish-error'],
    [{ tag: 'salt/job/20240514103001884210/error', data: {} }, 'publish-error'],
    [{ tag: 'salt/netapi/hook/sylvite/heartbeat', data: { body: '' } }, 'heartbeat'],
    [{ tag: 'salt/netapi/hook/deploy', data: { body: '' } }, 'hook'],
    [{ tag: 'minion/refresh/web01', data: {} }, 'refresh'],
    [{ tag: 'key', data: { rotate_aes_key: true } }, 'aes-rotation'],
    [{ tag: 'salt/presence/present', data: { present: [] } }, 'presence'],
    [{ tag: 'salt/syndic/syn01/start', data: {} }, 'syndic'],
    [{ tag: 'salt/beacon/web01/inotify', data: {} }, 'other'],
    [{ tag: 'salt/run/20240514104500118204/args', data: {} }, 'runner-detail'],
    [{ tag: '', data: {} }, 'malformed'],
  ] as [SaltEvent, string][])('should ignore %j as %s', (event, reason) => {
    const { run } = setup();
    expect(run(event)).toEqual({ type: 'ignored', reason });
  });
});
