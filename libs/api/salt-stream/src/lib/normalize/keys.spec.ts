import { aKey, anAuth } from './__fixtures__/events';
import { normalize } from './normalize';
import { NormalizerState } from './state';
import type { NormalizeResult, SaltEvent } from './types';

function setup() {
  const state = new NormalizerState({ apiUser: 'saltapi' });
  const run = (event: SaltEvent): NormalizeResult => normalize(event, state, { receivedAt: new Date() });
  const kind = (event: SaltEvent): string => {
    const r = run(event);
    return r.type === 'activity' ? `${r.row.kind}/${r.row.outcome}` : `ignored:${r.reason}`;
  };
  return { state, run, kind };
}

describe('normalize: salt/key', () => {
  it.each([
    ['accept', 'key.accept/accepted'],
    ['reject', 'key.reject/rejected'],
    ['delete', 'key.delete/deleted'],
    ['pend', 'ignored:unknown-key-act'], // salt/key has no pend: pending is salt/auth
  ])('should map act %s to %s', (act, expected) => {
    expect(setup().kind(aKey(act))).toBe(expected);
  });

  it('should carry the minion and a stamp-based identity when a key is accepted', () => {
    const r = setup().run(aKey('accept', 'cache01', '2024-05-14T10:51:10.360115'));
    expect(r).toMatchObject({
      type: 'activity',
      row: {
        minionId: 'cache01',
        category: 'key',
        summary: 'Key accepted: cache01',
        dedupeKey: 'key.accept|cache01|2024-05-14T10:51:10.360115',
        jid: null,
      },
    });
  });
});

describe('normalize: salt/auth', () => {
  it('should store pend once when the minion repeats it while it waits', () => {
    const { kind } = setup();
    expect(kind(anAuth('pend'))).toBe('key.pend/pending');
    expect(kind(anAuth('pend'))).toBe('ignored:repeat-pend');
    expect(kind(anAuth('pend'))).toBe('ignored:repeat-pend');
    expect(kind(anAuth('pend', 'other01'))).toBe('key.pend/pending');
  });

  it('should not store pend when the key was already pending at connect time', () => {
    const { kind, state } = setup();
    state.seedPendingKeys(['new01']);
    expect(kind(anAuth('pend'))).toBe('ignored:repeat-pend');
  });

  it('should treat accept as a re-auth, never as a key acceptance', () => {
    const { kind } = setup();
    expect(kind(anAuth('accept'))).toBe('ignored:reauth');
    expect(kind(anAuth('accept'))).toBe('ignored:reauth');
  });

  it('should store pend again when the key was deleted and the minion asks anew', () => {
    const { kind } = setup();
    expect(kind(anAuth('pend'))).toBe('key.pend/pending');
    expect(kind(aKey('delete'))).toBe('key.delete/deleted');
    expect(kind(anAuth('pend'))).toBe('key.pend/pending');
  });

  it.each([
    ['denied', 'key.denied/denied'],
    ['full', 'key.full/rejected'],
    ['reject', 'key.auth_rejected/rejected'],
    [undefined, 'key.auth_rejected/rejected'],
  ])('should record act %s as %s, not as an accept', (act, expected) => {
    const { kind } = setup();
    expect(kind(anAuth(act))).toBe(expected);
    expect(kind(anAuth(act))).toBe('ignored:repeat-auth');
  });

  it('should record a refused auth after an operator rejected the key', () => {
    const { kind } = setup();
    expect(kind(anAuth('pend', 'rogue'))).toBe('key.pend/pending');
    expect(kind(aKey('reject', 'rogue'))).toBe('key.reject/rejected');
    expect(kind(anAuth(undefined, 'rogue'))).toBe('key.auth_rejected/rejected');
    expect(kind(anAuth(undefined, 'rogue'))).toBe('ignored:repeat-auth');
  });

  it('should record a pending key that later presents a different key as denied', () => {
    const { kind } = setup();
    expect(kind(anAuth('pend'))).toBe('key.pend/pending');
    expect(kind(anAuth('denied'))).toBe('key.denied/denied');
  });

  it('should ignore an auth event whose act is unknown or that names no minion', () => {
    const { run } = setup();
    expect(run(anAuth('bogus'))).toEqual({ type: 'ignored', reason: 'unknown-key-act' });
    expect(run({ tag: 'salt/auth', data: { act: 'pend' } })).toEqual({ type: 'ignored', reason: 'malformed' });
  });
});

describe('normalize: minion start', () => {
  const legacy = (id: string, startedAt: string, stamp: string): SaltEvent => ({
    tag: 'minion_start',
    data: { id, cmd: '_minion_event', pretag: null, data: `Minion ${id} started at ${startedAt}`, tag: 'minion_start', _stamp: stamp },
  });
  const namespaced = (id: string, startedAt: string | null, stamp: string): SaltEvent => ({
    tag: `salt/minion/${id}/start`,
    data: {
      id,
      cmd: '_minion_event',
      pretag: null,
      ...(startedAt ? { data: `Minion ${id} started at ${startedAt}` } : {}),
      tag: `salt/minion/${id}/start`,
      _stamp: stamp,
    },
  });

  it('should count one start once whichever of the pair comes first', () => {
    const { kind } = setup();
    expect(kind(namespaced('web01', 'Tue May 14 12:51:14 2024', '2024-05-14T10:51:14.40'))).toBe('minion.start/online');
    expect(kind(legacy('web01', 'Tue May 14 12:51:14 2024', '2024-05-14T10:51:14.48'))).toBe('ignored:duplicate-start');
  });

  it('should count a real restart even within the window when the start times differ', () => {
    const { kind } = setup();
    expect(kind(legacy('web01', 'Tue May 14 12:51:14 2024', '2024-05-14T10:51:14'))).toBe('minion.start/online');
    expect(kind(legacy('web01', 'Tue May 14 12:51:29 2024', '2024-05-14T10:51:29'))).toBe('minion.start/online');
  });

  it('should fall back to the time window when the events carry no start text', () => {
    const { kind } = setup();
    expect(kind(namespaced('web02', null, '2024-05-14T10:00:00'))).toBe('minion.start/online');
    expect(kind(namespaced('web02', null, '2024-05-14T10:00:30'))).toBe('ignored:duplicate-start');
    expect(kind(namespaced('web02', null, '2024-05-14T10:05:00'))).toBe('minion.start/online');
  });

  it('should take the minion id from the tag when the data lacks it', () => {
    const { run } = setup();
    const r = run({ tag: 'salt/minion/web03/start', data: { _stamp: '2024-05-14T10:00:00' } });
    expect(r).toMatchObject({ type: 'activity', row: { kind: 'minion.start', minionId: 'web03', category: 'minion' } });
  });
});
