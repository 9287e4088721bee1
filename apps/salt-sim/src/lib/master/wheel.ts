import { sortIgnoreCase } from '../fleet/fleet';
import { fnmatch } from '../util/glob';
import { MasterContext } from './context';
import { KeyLifecycle } from './key-lifecycle';

export interface WheelOutcome {
  tag: string;
  data: Record<string, unknown>;
}

const asBool = (v: unknown): boolean => v === true || v === 'true' || v === 'True';

/** Wheel functions and their defaulted kwargs, which `format_call` reports in `fun_args`. */
const SIGNATURES: Record<string, Array<[string, unknown]>> = {
  'key.accept': [['include_rejected', false], ['include_denied', false]],
  'key.reject': [['include_accepted', false], ['include_denied', false]],
  'key.delete': [],
  'key.finger': [['hash_type', null]],
  'key.list': [],
  'key.list_all': [],
  'key.name_match': [],
};

/**
 * `ClearFuncs.wheel`: an outer `salt/wheel/<jid>` pair fired by the master around an inner pair
 * with a different jid and `user: "UNKNOWN"` (`call_func` → `low()`), `salt/key` per key moved.
 */
export class Wheel {
  constructor(
    private readonly m: MasterContext,
    private readonly keys: KeyLifecycle,
  ) {}

  run(fun: string, low: Record<string, unknown>, user: string): WheelOutcome {
    const { bus, jids } = this.m;
    const jid = jids.next();
    const tag = `salt/wheel/${jid}`;
    const outer: Record<string, unknown> = { fun: `wheel.${fun}`, jid, tag, user };
    bus.fire(`${tag}/new`, outer);

    const argList = Array.isArray(low['arg']) ? (low['arg'] as unknown[]) : low['arg'] !== undefined ? [low['arg']] : [];
    const kw = typeof low['kwarg'] === 'object' && low['kwarg'] !== null ? (low['kwarg'] as Record<string, unknown>) : {};
    const get = (name: string, pos: number): unknown => low[name] ?? kw[name] ?? argList[pos];
    const sig = SIGNATURES[fun];
    const funArgs: unknown[] = [];
    const match = get('match', 0);
    if (sig && fun !== 'key.list_all') funArgs.push(match ?? null);
    if (sig && sig.length) {
      const defaults: Record<string, unknown> = {};
      sig.forEach(([name, dflt], i) => (defaults[name] = get(name, i + 1) ?? dflt));
      funArgs.push(defaults);
    }

    const innerJid = jids.next();
    const inner: Record<string, unknown> = { fun: `wheel.${fun}`, jid: innerJid, user: 'UNKNOWN', fun_args: funArgs };
    bus.fire(`salt/wheel/${innerJid}/new`, inner);
    const { ret, success } = this.execute(fun, match, (name, pos) => get(name, pos));
    inner['return'] = ret;
    inner['success'] = success;
    bus.fire(`salt/wheel/${innerJid}/ret`, inner);
    outer['return'] = ret;
    outer['success'] = success;
    bus.fire(`${tag}/ret`, outer);
    return { tag, data: outer };
  }

  private execute(fun: string, match: unknown, get: (name: string, pos: number) => unknown): { ret: unknown; success: boolean } {
    const { fleet } = this.m;
    const patterns = toPatterns(match);
    switch (fun) {
      case 'key.list_all':
        return { ret: fleet.listAll(), success: true };
      case 'key.list': {
        const which = String(match ?? 'all');
        const all = fleet.listAll();
        const map: Record<string, string> = { pre: 'minions_pre', un: 'minions_pre', unaccepted: 'minions_pre', acc: 'minions', accepted: 'minions', rej: 'minions_rejected', rejected: 'minions_rejected', den: 'minions_denied', denied: 'minions_denied' };
        if (which === 'all') return { ret: all, success: true };
        const key = map[which];
        return { ret: key ? { [key]: all[key] } : {}, success: true };
      }
      case 'key.accept': {
        this.keys.accept(patterns, asBool(get('include_rejected', 1)), asBool(get('include_denied', 2)));
        return { ret: this.nameMatch(patterns), success: true };
      }
      case 'key.reject': {
        this.keys.reject(patterns, asBool(get('include_accepted', 1)), asBool(get('include_denied', 2)));
        return { ret: this.nameMatch(patterns), success: true };
      }
      case 'key.delete': {
        this.keys.delete(patterns);
        return { ret: this.nameMatch(patterns), success: true };
      }
      case 'key.name_match':
        return { ret: this.nameMatch(patterns), success: true };
      case 'key.finger': {
        const out: Record<string, Record<string, string>> = {};
        const lists = fleet.listAll();
        for (const [state, ids] of Object.entries(lists)) {
          for (const id of ids) {
            if (state === 'local') continue;
            if (!patterns.some((p) => fnmatch(id, p))) continue;
            const minion = fleet.minions.get(id);
            if (!minion) continue;
            (out[state] ??= {})[id] = minion.fingerprint;
          }
        }
        return { ret: out, success: true };
      }
      default:
        return { ret: `'${fun}' is not available.`, success: false };
    }
  }

  /** `Key.name_match` over the key directories (not the master's own keys). */
  private nameMatch(patterns: string[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const all = this.m.fleet.listAll();
    for (const state of ['minions', 'minions_pre', 'minions_rejected', 'minions_denied']) {
      for (const id of sortIgnoreCase(all[state])) {
        if (patterns.some((p) => fnmatch(id, p))) (out[state] ??= []).push(id);
      }
    }
    return out;
  }
}

function toPatterns(match: unknown): string[] {
  if (Array.isArray(match)) return match.map(String);
  if (typeof match === 'string') return match.includes(',') ? match.split(',') : [match];
  return [];
}
