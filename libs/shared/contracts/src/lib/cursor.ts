/**
 * Keyset cursors: `<iso_timestamp>|<id>`. Rows are ordered `(at DESC, id DESC)`; a cursor names one row.
 */
export interface Cursor {
  /** The timestamp exactly as written in the cursor (microseconds kept: PostgreSQL stores them). */
  at: string;
  /** The row id as text: audit and activity ids are bigints (kept as strings, beyond 2^53). */
  id: string;
}

const CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))\|(\d{1,19})$/;

export function encodeCursor(at: Date | string, id: string | number | bigint): string {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return `${iso}|${id}`;
}

/** Returns null for anything malformed; callers answer 400 "malformed cursor". */
export function decodeCursor(raw: string): Cursor | null {
  const m = CURSOR_RE.exec(raw);
  if (!m) return null;
  if (Number.isNaN(new Date(m[1]).getTime())) return null;
  return { at: m[1], id: m[2].replace(/^0+(?=\d)/, '') };
}
