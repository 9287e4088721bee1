import { decide, globMatches, type PermissionKey, type Principal } from '@sylvite/contracts';

/** The target types POST /api/run accepts (salt's `tgt_type`). */
export const TARGET_TYPES = ['glob', 'list', 'pcre', 'grain', 'nodegroup', 'compound'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Types the master resolves from its accepted keys alone: Sylvite can evaluate them the same way. */
export const KEY_TARGET_TYPES: readonly TargetType[] = ['glob', 'list', 'pcre'];

export interface KeyResolution {
  /** Accepted minions the target matches, sorted. */
  minions: string[];
  /** Ids a list names that have no accepted key (salt's `missing`). */
  missing: string[];
}

const GLOB_CHARS = /[*?[]/;

/** A list target as the master reads it: a JSON array, or a comma-separated string. */
export function listIds(target: string | readonly string[]): string[] {
  const raw = typeof target === 'string' ? target.split(',') : [...target];
  return [...new Set(raw.map((s) => s.trim()).filter((s) => s !== ''))];
}

/**
 * A pcre target as the master applies it: Python's `re.match`, anchored at the start only
 * (`web` matches `web01`). Null when JavaScript cannot compile the expression.
 */
export function pcreRegExp(expr: string): RegExp | null {
  try {
    return new RegExp(`^(?:${expr})`);
  } catch {
    return null;
  }
}

/**
 * `CkMinions._check_glob_minions` / `_check_pcre_minions` / `_check_list_minions`: the master
 * matches these against its accepted keys, which is exactly what this does. Null for the types
 * only the master can resolve (grains cache, nodegroups from its config, compound).
 */
export function resolveAgainstKeys(target: string | readonly string[], type: TargetType, accepted: readonly string[]): KeyResolution | null {
  const sorted = [...new Set(accepted)].sort();
  if (type === 'list') {
    const ids = listIds(target);
    const have = new Set(sorted);
    return { minions: ids.filter((id) => have.has(id)).sort(), missing: ids.filter((id) => !have.has(id)) };
  }
  if (typeof target !== 'string') return null;
  if (type === 'glob') return { minions: sorted.filter((id) => globMatches(target, id)), missing: [] };
  if (type === 'pcre') {
    const re = pcreRegExp(target);
    return re ? { minions: sorted.filter((id) => re.test(id)), missing: [] } : null;
  }
  return null;
}

function grainValues(grains: unknown, path: readonly string[]): unknown[] {
  let cur: unknown = grains;
  for (const part of path) {
    if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, part)) {
      cur = (cur as Record<string, unknown>)[part];
    } else return [];
  }
  return Array.isArray(cur) ? cur : [cur];
}

/**
 * A `grain` target (`os:Debian`, `roles:web*`, `ip4_interfaces:eth0:10.0.*`): the last `:`
 * separates the glob from the grain path, as salt's `subdict_match` reads the common cases.
 * Used only when the master's grains cache runner is unavailable.
 */
export function grainTargetMatches(grains: Record<string, unknown>, expr: string): boolean {
  const idx = expr.lastIndexOf(':');
  if (idx <= 0) return false;
  const path = expr.slice(0, idx).split(':');
  const pattern = expr.slice(idx + 1);
  return grainValues(grains, path).some((v) => {
    if (v === null || typeof v === 'object') return false;
    const s = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
    return globMatches(pattern, s);
  });
}

/** The minions of `minions` the principal may not act on with `permission` (empty: all allowed). */
export function outsideGrant(principal: Principal, permission: PermissionKey, minions: readonly string[]): string[] {
  return minions.filter((m) => !decide(principal, permission, m).allowed);
}

/** The literal start of a glob, before its first wildcard. */
function literalPrefix(glob: string): string {
  const m = GLOB_CHARS.exec(glob);
  return m ? glob.slice(0, m.index) : glob;
}

/**
 * Whether every minion an expression can ever match lies inside one of the grant patterns, so
 * that it may be published as written without a later key slipping outside the grant: a list of
 * ids each in a pattern, a literal id in a pattern, or a glob whose literal start begins with the
 * literal start of a `prefix*` pattern (`web0*` within `web*`). Anything else is not provable and
 * is published as the resolved list instead.
 */
export function expressionWithinGrant(target: string | readonly string[], type: TargetType, patterns: readonly string[]): boolean {
  if (patterns.includes('*')) return true;
  if (type === 'list') {
    const ids = listIds(target);
    return ids.length > 0 && ids.every((id) => !GLOB_CHARS.test(id) && patterns.some((p) => globMatches(p, id)));
  }
  if (type !== 'glob' || typeof target !== 'string' || target === '') return false;
  if (!GLOB_CHARS.test(target)) return patterns.some((p) => globMatches(p, target));
  const prefix = literalPrefix(target);
  return patterns.some((p) => {
    const body = p.slice(0, -1);
    return p.endsWith('*') && !GLOB_CHARS.test(body) && prefix.startsWith(body);
  });
}

/** A scope: `'*'` for every minion, or the globs of the caller's grants. */
export type MinionScope = '*' | readonly string[];

export function inMinionScope(scope: MinionScope, minion: string): boolean {
  return scope === '*' || scope.some((p) => globMatches(p, minion));
}
