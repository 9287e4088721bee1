import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Finds `shared/salt/<name>` by walking up from here (the specs live beside the repo, not in it). */
export function corpusFile(name: string): string {
  let dir = __dirname;
  for (let i = 0; i < 10; i++) {
    for (const candidate of [join(dir, 'shared', 'salt', name), join(dir, '..', 'shared', 'salt', name)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find shared/salt/${name} above ${__dirname}`);
}

export interface CorpusEvent {
  tag: string;
  data: Record<string, unknown>;
}

/** `events.jsonl`, 1-based like PROTOCOL.md's appendix: `corpus()[12]` is line 12. */
export function corpus(): Record<number, CorpusEvent> {
  const lines = readFileSync(corpusFile('events.jsonl'), 'utf8').split('\n').filter(Boolean);
  const out: Record<number, CorpusEvent> = {};
  lines.forEach((l, i) => (out[i + 1] = JSON.parse(l) as CorpusEvent));
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
