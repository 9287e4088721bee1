/** Display and search text for a row: short, one line, bounded. */

/** A list target of ten thousand minions must not become a 300 KB column or trigram entry. */
export const MAX_FIELD_CHARS = 1024;
export const MAX_SUMMARY_CHARS = 300;
export const MAX_SEARCH_CHARS = 2048;

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A string, or a list of strings joined the way Salt's CLI writes them (`-L a,b`, `test.ping,cmd.run`). */
export function joinList(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : clip(value, MAX_FIELD_CHARS);
  if (!Array.isArray(value)) return null;
  let out = '';
  for (const v of value) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    out = out === '' ? String(v) : `${out},${v}`;
    // Stop early: the rest would be clipped anyway.
    if (out.length > MAX_FIELD_CHARS) break;
  }
  return out === '' ? null : clip(out, MAX_FIELD_CHARS);
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function oneLine(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), MAX_SUMMARY_CHARS);
}

export function searchText(parts: readonly (string | null)[]): string {
  let out = '';
  for (const p of parts) {
    if (!p) continue;
    out = out === '' ? p : `${out} ${p}`;
  }
  return out.slice(0, MAX_SEARCH_CHARS).toLowerCase();
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
