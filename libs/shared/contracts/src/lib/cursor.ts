/**
 * Keyset cursors: `<iso_timestamp>|<id>`. Rows are ordered `(at DESC, id DESC)`; a cursor names one row.
 *
 * A `next_before_cursor` also carries the first page's total: `<iso_timestamp>|<id>|<n>`, or
 * `|~<n>` when that total was a bound. Deeper pages repeat it instead of counting again; a cursor
 * without it (made by hand, or from `newest_cursor`) is still accepted, and then the page counts.
 */
export interface Cursor {
  /** The timestamp exactly as written in the cursor (microseconds kept: PostgreSQL stores them). */
  at: string;
  /** The row id as text: audit and activity ids are bigints (kept as strings, beyond 2^53). */
  id: string;
  /** The total of the page the walk started from, when the cursor carries it. */
  count?: CursorCount;
}

export interface CursorCount {
  total: number;
  /** `total` is a bound (the count cap), not an exact figure. */
  estimate: boolean;
}

/** Exact counts of a feed stop here; beyond it `total` is this bound and flagged as an estimate. */
export const COUNT_CAP = 10_000;

/** A carried total is at most COUNT_CAP (five digits); a larger one reads as the bound. */
const CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))\|(\d{1,19})(?:\|(~?)(\d{1,5}))?$/;

export function encodeCursor(at: Date | string, id: string | number | bigint, count?: CursorCount): string {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return count ? `${iso}|${id}|${count.estimate ? '~' : ''}${count.total}` : `${iso}|${id}`;
}

/** Returns null for anything malformed; callers answer 400 "malformed cursor". */
export function decodeCursor(raw: string): Cursor | null {
  const m = CURSOR_RE.exec(raw);
  if (!m) return null;
  if (Number.isNaN(new Date(m[1]).getTime())) return null;
  const cursor: Cursor = { at: m[1], id: m[2].replace(/^0+(?=\d)/, '') };
  if (m[4] !== undefined) {
    const total = Number(m[4]);
    cursor.count = total > COUNT_CAP ? { total: COUNT_CAP, estimate: true } : { total, estimate: m[3] === '~' };
  }
  return cursor;
}
