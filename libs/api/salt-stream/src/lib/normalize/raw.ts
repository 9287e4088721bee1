import type { BoundedRaw, SaltEvent } from './types';

/** The stored payload cap: a state return of a few hundred states fits; a 1 MiB log dump does not. */
export const DEFAULT_RAW_CAP_BYTES = 64 * 1024;

const TRIMMED_SENTINEL = '"VALUE_TRIMMED"';

/**
 * Bounds the raw event for storage. Uses the text as received when given (no re-serialization);
 * otherwise serializes once. The cut lands on a UTF-8 character boundary.
 */
export function boundRaw(event: SaltEvent, rawJson: string | undefined, capBytes = DEFAULT_RAW_CAP_BYTES): BoundedRaw {
  const text = rawJson ?? JSON.stringify({ tag: event.tag, data: event.data });
  const valueTrimmed = text.includes(TRIMMED_SENTINEL);
  const size = Buffer.byteLength(text, 'utf8');
  if (size <= capBytes) return { text, size, truncated: false, valueTrimmed };
  return { text: utf8Prefix(text, capBytes), size, truncated: true, valueTrimmed };
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  // Only the first maxBytes code units can contribute to the first maxBytes bytes.
  let head = text.slice(0, maxBytes);
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= maxBytes) return head;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that overflows.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}
