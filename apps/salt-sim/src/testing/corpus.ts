import { corpusLines } from '@sylvite/salt-fixtures';

export interface CorpusEvent {
  tag: string;
  data: Record<string, unknown>;
}

/** The project's corpus (`@sylvite/salt-fixtures`), 1-based like the protocol document's appendix: `corpus()[12]` is line 12. */
export function corpus(): Record<number, CorpusEvent> {
  const out: Record<number, CorpusEvent> = {};
  for (const l of corpusLines<CorpusEvent>()) out[l.line] = l.event;
  return out;
}

export type Shape = string | { [key: string]: Shape };

/** Key order and JSON types, one level deep (nested objects as their key list). */
export function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const out: { [key: string]: Shape } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
    return out;
  }
  return typeof value;
}
