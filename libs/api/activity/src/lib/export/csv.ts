import type { ActivityEventDto } from '@sylvite/contracts';

export const CSV_COLUMNS = [
  'id', 'occurred_at', 'received_at', 'category', 'event_type', 'outcome', 'minion_id', 'jid', 'fun', 'initiator',
  'target', 'target_type', 'retcode', 'duration_ms', 'summary',
] as const satisfies readonly (keyof ActivityEventDto)[];

// A spreadsheet evaluates a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180 quoting); text that a spreadsheet would run as a formula is prefixed with `'`. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvLine(row: ActivityEventDto): string {
  return CSV_COLUMNS.map((c) => csvCell(row[c])).join(',') + '\r\n';
}

/** `20251122T021100Z`: a file name's time, sortable and free of characters file systems dislike. */
export function compactTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

export function exportFileName(from: Date | null, to: Date, format: 'csv' | 'ndjson'): string {
  return `sylvite-activity_${from ? compactTime(from) : 'start'}_${compactTime(to)}.${format}`;
}
