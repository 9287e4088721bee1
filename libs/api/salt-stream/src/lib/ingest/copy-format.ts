/**
 * PostgreSQL COPY text format (`COPY … FROM STDIN`, the default format): tab-separated columns,
 * one row per line, `\N` for NULL, backslash escapes for the separators.
 */

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;

/** PostgreSQL `text` cannot hold U+0000; a JSON string may decode to one. */
function withoutNul(s: string): string {
  return s.includes('\0') ? s.replace(/\0/g, '\uFFFD') : s;
}

/**
 * One native `replaceAll` per separator present: a raw JSON payload is full of backslashes, and a
 * regex with a replacer callback per match costs ~100× more on multi-KB payloads.
 */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  let s = withoutNul(value);
  if (s.includes('\\')) s = s.replaceAll('\\', '\\\\');
  if (s.includes('\n')) s = s.replaceAll('\n', '\\n');
  if (s.includes('\r')) s = s.replaceAll('\r', '\\r');
  if (s.includes('\t')) s = s.replaceAll('\t', '\\t');
  return s;
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

/** `COPY … FROM STDIN (FORMAT binary)`: signature, flags, header extension length. */
export const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** The file trailer: a field count of -1. */
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

const PG_EPOCH_MS = 946_684_800_000;

export type BinaryField =
  | { int8: string }
  | { timestamptz: Date }
  | { text: string | null }
  | { int4: number }
  | { bool: boolean };

/**
 * One tuple in COPY binary format. Text goes as its UTF-8 bytes with a length prefix: nothing to
 * escape, which is what makes it worth it for the raw payloads (JSON is full of backslashes).
 */
export function copyBinaryTuple(fields: readonly BinaryField[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(2);
  head.writeInt16BE(fields.length);
  parts.push(head);
  for (const f of fields) {
    if ('text' in f) {
      if (f.text === null) {
        parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
        continue;
      }
      const body = Buffer.from(f.text.includes('\0') ? f.text.replace(/\0/g, '\uFFFD') : f.text, 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeInt32BE(body.length);
      parts.push(len, body);
      continue;
    }
    let b: Buffer;
    if ('int8' in f) {
      b = Buffer.allocUnsafe(12);
      b.writeInt32BE(8, 0);
      b.writeBigInt64BE(BigInt(f.int8), 4);
    } else if ('timestamptz' in f) {
      b = Buffer.allocUnsafe(12);
      b.writeInt32BE(8, 0);
      b.writeBigInt64BE(BigInt(f.timestamptz.getTime() - PG_EPOCH_MS) * 1000n, 4);
    } else if ('int4' in f) {
      b = Buffer.allocUnsafe(8);
      b.writeInt32BE(4, 0);
      b.writeInt32BE(f.int4, 4);
    } else {
      b = Buffer.allocUnsafe(5);
      b.writeInt32BE(1, 0);
      b.writeUInt8(f.bool ? 1 : 0, 4);
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}
