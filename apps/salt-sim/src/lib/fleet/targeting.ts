import { fnmatch, pcreMatch } from '../util/glob';
import { Fleet } from './fleet';

/** Salt raises SaltInvocationError for these; salt-api turns that into a bare 400. */
export class TargetError extends Error {}

export interface Resolved {
  /** Expected minions (accepted keys that match), sorted. */
  minions: string[];
  /** Ids named in a list that have no accepted key. */
  missing: string[];
  /** The target as the master publishes it (nodegroups are expanded into compound words). */
  tgt: string | string[];
  tgtType: string;
}

const OPERATORS = new Set(['and', 'or', 'not', '(', ')']);

/** `salt.utils.minions.nodegroup_comp`: a nodegroup as the word list the master publishes. */
export function nodegroupWords(name: string, groups: Record<string, string>, seen = new Set<string>()): string[] {
  const def = groups[name];
  if (def === undefined || seen.has(name)) return [];
  seen.add(name);
  const out: string[] = [];
  for (const w of def.split(/\s+/).filter(Boolean)) {
    if (w.length >= 3 && w.startsWith('N@')) {
      const inner = nodegroupWords(w.slice(2), groups, seen);
      if (inner.length) out.push('(', ...inner, ')');
    } else out.push(w);
  }
  seen.delete(name);
  return out;
}

function lookupGrain(grains: Record<string, unknown>, path: string[]): unknown[] {
  let cur: unknown = grains;
  for (const part of path) {
    if (cur && typeof cur === 'object' && !Array.isArray(cur) && part in (cur as object)) cur = (cur as Record<string, unknown>)[part];
    else return [];
  }
  return Array.isArray(cur) ? cur : [cur];
}

/** `G@key:glob` / `P@key:regex`: the last `:` separates the value (`delimiter` is ':'). */
function grainMatch(grains: Record<string, unknown>, expr: string, regex: boolean): boolean {
  const idx = expr.lastIndexOf(':');
  if (idx < 0) return false;
  const path = expr.slice(0, idx).split(':');
  const pattern = expr.slice(idx + 1);
  return lookupGrain(grains, path).some((v) => {
    if (v === null || typeof v === 'object') return false;
    const s = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
    return regex ? pcreMatch(s, pattern) : fnmatch(s, pattern);
  });
}

function ipv4ToInt(ip: string): number | null {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return null;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function cidrMatch(grains: Record<string, unknown>, cidr: string): boolean {
  const [net, bitsRaw] = cidr.split('/');
  const bits = bitsRaw === undefined ? 32 : Number(bitsRaw);
  const base = ipv4ToInt(net);
  if (base === null || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const ips = Array.isArray(grains['ipv4']) ? (grains['ipv4'] as string[]) : [];
  return ips.some((ip) => {
    const n = ipv4ToInt(ip);
    return n !== null && (n & mask) === (base & mask);
  });
}

function splitList(tgt: unknown): string[] {
  if (Array.isArray(tgt)) return tgt.map(String);
  return String(tgt ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Resolves a target the way the master's CkMinions does, against accepted keys and cached grains. */
export function resolveTarget(fleet: Fleet, tgt: unknown, tgtType = 'glob'): Resolved {
  const all = fleet.acceptedIds();
  const grainsOf = (id: string): Record<string, unknown> => fleet.minions.get(id)?.grains ?? {};
  const missing: string[] = [];
  const matchWord = (word: string): Set<string> => {
    const at = word.length > 2 && word[1] === '@' ? word[0] : '';
    const body = at ? word.slice(2) : word;
    switch (at) {
      case '':
        return new Set(all.filter((id) => fnmatch(id, body)));
      case 'G':
        return new Set(all.filter((id) => grainMatch(grainsOf(id), body, false)));
      case 'P':
        return new Set(all.filter((id) => grainMatch(grainsOf(id), body, true)));
      case 'E':
        return new Set(all.filter((id) => pcreMatch(id, body)));
      case 'L': {
        const ids = splitList(body);
        for (const id of ids) if (!fleet.accepted.has(id) && !missing.includes(id)) missing.push(id);
        return new Set(ids.filter((id) => fleet.accepted.has(id)));
      }
      case 'I':
        return new Set(all.filter((id) => grainMatch(pillarOf(grainsOf(id)), body, false)));
      case 'S':
        return new Set(all.filter((id) => cidrMatch(grainsOf(id), body)));
      case 'N':
        return evalCompound(nodegroupWords(body, fleet.nodegroups), all, matchWord);
      default:
        return new Set();
    }
  };

  switch (tgtType) {
    case 'glob':
      return done(all.filter((id) => fnmatch(id, String(tgt))), [], tgt, tgtType);
    case 'pcre':
      return done(all.filter((id) => pcreMatch(id, String(tgt))), [], tgt, tgtType);
    case 'list': {
      const ids = splitList(tgt);
      return done(
        ids.filter((id) => fleet.accepted.has(id)),
        ids.filter((id) => !fleet.accepted.has(id)),
        tgt,
        tgtType,
      );
    }
    case 'grain':
      return done([...matchWord(`G@${String(tgt)}`)], [], tgt, tgtType);
    case 'grain_pcre':
      return done([...matchWord(`P@${String(tgt)}`)], [], tgt, tgtType);
    case 'pillar':
      return done([...matchWord(`I@${String(tgt)}`)], [], tgt, tgtType);
    case 'ipcidr':
      return done([...matchWord(`S@${String(tgt)}`)], [], tgt, tgtType);
    case 'compound': {
      const words = Array.isArray(tgt) ? tgt.map(String) : tokenize(String(tgt));
      const set = evalCompound(words, all, matchWord);
      return done([...set], missing, tgt, tgtType);
    }
    case 'nodegroup': {
      const name = String(tgt);
      if (!(name in fleet.nodegroups)) throw new TargetError(`Node group ${name} unavailable in /etc/salt/master`);
      const words = nodegroupWords(name, fleet.nodegroups);
      // LocalClient rewrites a nodegroup into a compound target before publishing.
      const set = evalCompound(words, all, matchWord);
      return done([...set], missing, words, 'compound');
    }
    default:
      throw new TargetError(`Invalid target type: ${tgtType}`);
  }
}

function done(minions: string[], missing: string[], tgt: unknown, tgtType: string): Resolved {
  return { minions: [...new Set(minions)].sort(), missing, tgt: tgt as string | string[], tgtType };
}

/** The simulator's pillar: a couple of keys derived from grains, enough for `I@` targets. */
export function pillarOf(grains: Record<string, unknown>): Record<string, unknown> {
  const roles = Array.isArray(grains['roles']) ? (grains['roles'] as string[]) : [];
  return { env: grains['env'], role: roles[0], datacenter: 'fra1' };
}

/** Compound words are whitespace-separated; like Salt, parentheses must stand alone. */
export function tokenize(expr: string): string[] {
  return expr.split(/\s+/).filter(Boolean);
}

/** and/or/not with parentheses; precedence not > and > or, as in the master's set arithmetic. */
function evalCompound(words: string[], all: string[], matchWord: (w: string) => Set<string>): Set<string> {
  let pos = 0;
  const peek = (): string | undefined => words[pos];
  const parseOr = (): Set<string> => {
    let left = parseAnd();
    while (peek() === 'or') {
      pos++;
      const right = parseAnd();
      left = new Set([...left, ...right]);
    }
    return left;
  };
  const parseAnd = (): Set<string> => {
    let left = parseNot();
    for (;;) {
      const p = peek();
      if (p === 'and') pos++;
      // Salt joins adjacent terms with an implicit "and".
      else if (p === undefined || p === 'or' || p === ')') break;
      const right = parseNot();
      left = new Set([...left].filter((x) => right.has(x)));
    }
    return left;
  };
  const parseNot = (): Set<string> => {
    if (peek() === 'not') {
      pos++;
      const inner = parseNot();
      return new Set(all.filter((x) => !inner.has(x)));
    }
    return parseAtom();
  };
  const parseAtom = (): Set<string> => {
    const w = words[pos++];
    if (w === undefined) return new Set();
    if (w === '(') {
      const inner = parseOr();
      if (peek() === ')') pos++;
      return inner;
    }
    if (OPERATORS.has(w)) return new Set();
    return matchWord(w);
  };
  if (words.length === 0) return new Set();
  return parseOr();
}
