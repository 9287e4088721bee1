import type { SaltEvent } from '../types';

/** Test-data factories shaped like the corpus (PROTOCOL.md §4), overridable field by field. */

export const JID = '20240514120000000001';
export const STAMP = '2024-05-14T12:00:00.500000';

export function aJobNew(data: Record<string, unknown> = {}): SaltEvent {
  const jid = (data['jid'] as string | undefined) ?? JID;
  return {
    tag: `salt/job/${jid}/new`,
    data: {
      jid,
      tgt_type: 'glob',
      tgt: 'web*',
      user: 'saltapi',
      fun: 'state.apply',
      arg: [],
      minions: ['web01', 'web02'],
      missing: [],
      _stamp: STAMP,
      ...data,
    },
  };
}

export function aJobReturn(data: Record<string, unknown> = {}): SaltEvent {
  const jid = (data['jid'] as string | undefined) ?? JID;
  const id = (data['id'] as string | undefined) ?? 'web01';
  return {
    tag: `salt/job/${jid}/ret/${id}`,
    data: {
      cmd: '_return',
      id,
      success: true,
      return: true,
      retcode: 0,
      jid,
      fun: 'test.ping',
      fun_args: [],
      user: 'saltapi',
      _stamp: '2024-05-14T12:00:03.000000',
      ...data,
    },
  };
}

export function aStateEntry(entry: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'nginx',
    changes: {},
    result: true,
    comment: 'ok',
    __sls__: 'nginx',
    __run_num__: 0,
    start_time: '12:00:01.000000',
    duration: 10,
    __id__: 'nginx',
    ...entry,
  };
}

/** A state return with the given entries keyed the way Salt keys them. */
export function aStateReturn(entries: Record<string, unknown>[], data: Record<string, unknown> = {}): SaltEvent {
  const ret: Record<string, unknown> = {};
  entries.forEach((e, i) => {
    ret[`pkg_|-s${i}_|-s${i}_|-installed`] = e;
  });
  return aJobReturn({ fun: 'state.apply', out: 'highstate', return: ret, ...data });
}

export function anAuth(act: string | undefined, id = 'new01', stamp = STAMP): SaltEvent {
  const data: Record<string, unknown> = { result: act === 'pend' || act === 'accept', id, pub: 'PEM', _stamp: stamp };
  if (act !== undefined) data['act'] = act;
  return { tag: 'salt/auth', data };
}

export function aKey(act: string, id = 'new01', stamp = STAMP): SaltEvent {
  return { tag: 'salt/key', data: { result: true, act, id, _stamp: stamp } };
}

export function aRunner(
  verb: 'new' | 'ret',
  fun: string,
  data: Record<string, unknown> = {},
  jid = '20240514120500000002',
): SaltEvent {
  return {
    tag: `salt/run/${jid}/${verb}`,
    data: { fun, jid, user: 'saltapi', fun_args: [], _stamp: STAMP, ...data },
  };
}
