import {
  isRoutineActivity, type ActivityCategory, type ActivityEventDto, type ActivityEventType,
} from '@sylvite/contracts';
import { inScope, narrowScope, type ActivityScope, type ScopedRow } from './activity-scope';

/** The filters the list, the export and the stream share, parsed and validated. */
export interface ActivityFilter {
  category?: ActivityCategory;
  categories?: ActivityCategory[];
  minion_id?: string;
  event_type?: ActivityEventType;
  jid?: string;
  /** Already trimmed; matched case-insensitively. */
  search?: string;
  hide_routine?: boolean;
  hide_dispatch?: boolean;
}

/** A bus row: the wire event, plus the expected minions of a `job.new` when the publisher has them. */
export type ActivityRow = ActivityEventDto & { minions?: readonly string[] | null };

/** Mirrors the ingest's `search_text`: summary, minion, function, initiator, target; lower-cased. */
const MAX_SEARCH_CHARS = 2048;
export function searchTextOf(row: Pick<ActivityEventDto, 'summary' | 'minion_id' | 'fun' | 'initiator' | 'target'>): string {
  return [row.summary, row.minion_id, row.fun, row.initiator, row.target]
    .filter((p): p is string => !!p)
    .join(' ')
    .slice(0, MAX_SEARCH_CHARS)
    .toLowerCase();
}

/** The scope narrowed by the category filters: what a query or stream may return at all. */
export function effectiveScope(scope: ActivityScope, filter: ActivityFilter): ActivityScope {
  return narrowScope(scope, filter.category ? [filter.category] : undefined, filter.categories);
}

/**
 * The in-memory twin of the repository's WHERE clause, for live rows. `scope` must already be the
 * effective scope (category filters applied).
 */
export function rowMatcher(scope: ActivityScope, filter: ActivityFilter): (row: ActivityRow) => boolean {
  const needle = filter.search?.toLowerCase();
  return (row) => {
    if (!inScope(scope, row as ScopedRow)) return false;
    if (filter.minion_id !== undefined && row.minion_id !== filter.minion_id) return false;
    if (filter.event_type !== undefined && row.event_type !== filter.event_type) return false;
    if (filter.jid !== undefined && row.jid !== filter.jid) return false;
    if (filter.hide_dispatch && row.event_type === 'job.new') return false;
    if (filter.hide_routine && isRoutineActivity(row)) return false;
    if (needle && !searchTextOf(row).includes(needle)) return false;
    return true;
  };
}

/** A stable identity of a filter, for grouping streams that receive exactly the same rows. */
export function filterKey(filter: ActivityFilter): string {
  return JSON.stringify([
    filter.minion_id ?? null, filter.event_type ?? null, filter.jid ?? null, filter.search?.toLowerCase() ?? null,
    !!filter.hide_routine, !!filter.hide_dispatch,
  ]);
}

/** Non-negative integer ids as text (bigints): compares without converting. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
