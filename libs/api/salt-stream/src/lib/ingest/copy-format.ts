/**
 * PostgreSQL COPY text format (`COPY … FROM STDIN`, the default format): tab-separated columns,
 * one row per line, `\N` for NULL, backslash escapes for the separators.
 */

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;

/** PostgreSQL `text` cannot hold U+0000; a JSON string may decode to one. */
function withoutNul(s: string): string {
  return s.includes('\0') ? s.replace(/\0/g, '\uFFFD') : s;
}

export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return withoutNul(value).replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

export function copyInt(value: number | null): string {
  // An int4 column: anything else would fail the whole batch.
  return value !== null && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? String(value) : '\\N';
}

export function copyFloat(value: number | null): string {
  return value !== null && Number.isFinite(value) ? String(value) : '\\N';
}

export function copyBool(value: boolean | null): string {
  return value === null ? '\\N' : value ? 't' : 'f';
}

export function copyTime(value: Date): string {
  return value.toISOString();
}

/** A `text[]` literal (`{"a","b"}`), each element quoted, then escaped for COPY. */
export function copyTextArray(values: readonly string[] | null): string {
  if (values === null) return '\\N';
  const inner = values.map((v) => `"${withoutNul(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',');
  return copyText(`{${inner}}`);
}

export function copyRow(fields: readonly string[]): string {
  return `${fields.join('\t')}\n`;
}
