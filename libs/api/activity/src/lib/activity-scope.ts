import {
  ACTIVITY_CATEGORIES, globMatches, globToRegExp, scopePatterns, type ActivityCategory, type Principal,
} from '@sylvite/contracts';

/** `'*'`: every minion; a list: only minions matching one of these globs. */
export type CategoryScope = '*' | readonly string[];

/** What a caller may see of the activity feed: a category absent from the map is not visible at all. */
export type ActivityScope = Partial<Record<ActivityCategory, CategoryScope>>;

/** The fields the scope decision reads; `minions` travels on bus rows of `job.new` (not on the wire). */
export interface ScopedRow {
  category: ActivityCategory;
  minion_id: string | null;
  target: string | null;
  minions?: readonly string[] | null;
}

/** The caller's view grants per category (`view:job:web*` → `{ job: ['web*'] }`). */
export function activityScopeFor(principal: Principal): ActivityScope {
  const scope: ActivityScope = {};
  for (const category of ACTIVITY_CATEGORIES) {
    const patterns = scopePatterns(principal, `view:${category}`);
    if (patterns.includes('*')) scope[category] = '*';
    else if (patterns.length) scope[category] = [...patterns].sort();
  }
  return scope;
}

export function scopeCategories(scope: ActivityScope): ActivityCategory[] {
  return ACTIVITY_CATEGORIES.filter((c) => scope[c] !== undefined);
}

/** Keeps only the categories a filter asks for; both `category` and `categories` narrow. */
export function narrowScope(scope: ActivityScope, ...wanted: (readonly ActivityCategory[] | undefined)[]): ActivityScope {
  const out: ActivityScope = {};
  for (const c of ACTIVITY_CATEGORIES) {
    const s = scope[c];
    if (s !== undefined && wanted.every((w) => w === undefined || w.includes(c))) out[c] = s;
  }
  return out;
}

/** Equal scopes give equal keys: streams are grouped by it so a frame set is built once per scope. */
export function scopeKey(scope: ActivityScope): string {
  return ACTIVITY_CATEGORIES.map((c) => {
    const s = scope[c];
    return s === undefined ? '-' : s === '*' ? '*' : s.join('\u0000');
  }).join('\u0001');
}

/**
 * A row names its minion; a dispatch (`job.new`, minion_id null) is visible when any of its expected
 * minions is in scope, and when those are unknown, when its target (or one list entry) matches.
 * A row tied to no minion at all (a runner) is visible only with an unrestricted grant.
 */
export function inScope(scope: ActivityScope, row: ScopedRow): boolean {
  const s = scope[row.category];
  if (s === undefined) return false;
  if (s === '*') return true;
  const matches = (value: string) => s.some((g) => globMatches(g, value));
  if (row.minion_id !== null) return matches(row.minion_id);
  if (row.minions && row.minions.length) return row.minions.some(matches);
  if (row.target) return row.target.split(',').some(matches);
  return false;
}

/** The globs as anchored regular expressions PostgreSQL's `~` understands (the same translation as decide()). */
export function scopeRegexes(patterns: readonly string[]): string[] {
  return patterns.map((g) => globToRegExp(g).source);
}

/**
 * The literal text each glob's matches start with (`web-04242*` → `web-04242`): a prefix range the
 * `minion_id` index can serve next to the regular expression. Null when a glob starts with a
 * wildcard, since then no range covers its matches.
 */
export function scopePrefixes(patterns: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const g of patterns) {
    const prefix = g.slice(0, g.search(/[*?[]|$/));
    if (!prefix) return null;
    out.push(prefix);
  }
  return out;
}
