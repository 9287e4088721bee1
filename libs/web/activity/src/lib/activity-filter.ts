import {
  ACTIVITY_CATEGORIES,
  type ActivityCategory,
  type ActivityEventDto,
  isRoutineActivity,
} from '@sylvite/contracts';
import { flagParam, type QueryParams } from '@sylvite/web-data-access';

/** What the Activity page's controls say, as the URL keeps it. */
export interface ActivityFilter {
  category: ActivityCategory | null;
  search: string;
  hideRoutine: boolean;
  hideDispatch: boolean;
}

export const NO_FILTER: ActivityFilter = { category: null, search: '', hideRoutine: false, hideDispatch: false };

/** The raw query parameters of the page: `?category=job&q=web&hide_routine=1&hide_dispatch=1`. */
export interface ActivityQueryParams {
  category?: string | null;
  q?: string | null;
  hide_routine?: string | null;
  hide_dispatch?: string | null;
}

/** Unknown values are ignored rather than sent on: a hand-edited URL still shows a page. */
export function filterFromQuery(params: ActivityQueryParams): ActivityFilter {
  const category = ACTIVITY_CATEGORIES.find((c) => c === params.category) ?? null;
  return {
    category,
    search: (params.q ?? '').trim(),
    hideRoutine: flagParam(params.hide_routine),
    hideDispatch: flagParam(params.hide_dispatch),
  };
}

export function filterToQuery(filter: ActivityFilter): Record<string, string | boolean | null> {
  return {
    category: filter.category,
    q: filter.search || null,
    hide_routine: filter.hideRoutine,
    hide_dispatch: filter.hideDispatch,
  };
}

/** The same filter as GET /api/activity parameters. */
export function filterToApi(filter: ActivityFilter): QueryParams {
  return {
    category: filter.category,
    search: filter.search || null,
    hide_routine: filter.hideRoutine || null,
    hide_dispatch: filter.hideDispatch || null,
  };
}

export function sameFilter(a: ActivityFilter, b: ActivityFilter): boolean {
  return a.category === b.category && a.search === b.search && a.hideRoutine === b.hideRoutine && a.hideDispatch === b.hideDispatch;
}

/**
 * The server's filter, applied in the browser to the tab's one unfiltered live stream: category,
 * a case-insensitive substring over summary, minion, function, initiator and target, and the two
 * hide toggles.
 */
export function matchesFilter(event: ActivityEventDto, filter: ActivityFilter): boolean {
  if (filter.category && event.category !== filter.category) return false;
  if (filter.hideDispatch && event.event_type === 'job.new') return false;
  if (filter.hideRoutine && isRoutineActivity(event)) return false;
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const haystack = [event.summary, event.minion_id, event.fun, event.initiator, event.target];
    if (!haystack.some((field) => !!field && field.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** `<iso_occurred_at>|<id>`, the keyset cursor naming this row. */
export function cursorOf(event: Pick<ActivityEventDto, 'occurred_at' | 'id'>): string {
  return `${event.occurred_at}|${event.id}`;
}

/** Microseconds since the epoch: the API keeps PostgreSQL's microseconds, Date.parse would drop them. */
function timeKey(iso: string): bigint {
  const ms = Date.parse(iso);
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const micros = fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, '0')) : 0;
  return BigInt(Number.isNaN(ms) ? 0 : ms) * 1000n + BigInt(micros);
}

function idKey(id: string): bigint {
  return /^\d+$/.test(id) ? BigInt(id) : 0n;
}

/** Newest first, ties by id: the order of the API and of the page. */
export function newestFirst(a: ActivityEventDto, b: ActivityEventDto): number {
  const at = timeKey(b.occurred_at) - timeKey(a.occurred_at);
  if (at !== 0n) return at > 0n ? 1 : -1;
  const id = idKey(b.id) - idKey(a.id);
  return id === 0n ? 0 : id > 0n ? 1 : -1;
}
