import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The project's own Salt test data, owned by this repository:
 * - `events.jsonl` — a realistic event corpus, one `{tag, data}` per line, numbered 1-based as
 *   docs/PROTOCOL.md (Appendix A) numbers them;
 * - `sse-transcript.txt` — the exact bytes of a salt-api `/events` body (corpus lines 11–21);
 * - `sse-transcript.http` — the same stream with its response head, as it crossed the wire.
 */
export type SaltFixture = 'events.jsonl' | 'sse-transcript.txt' | 'sse-transcript.http';

export function saltFixturePath(name: SaltFixture): string {
  return join(__dirname, 'fixtures', name);
}

export function readSaltFixture(name: SaltFixture): Buffer {
  return readFileSync(saltFixturePath(name));
}

export interface CorpusLine<E = { tag: string; data: Record<string, unknown> }> {
  /** 1-based, as the protocol document's Appendix A numbers them. */
  line: number;
  text: string;
  event: E;
}

/** Every line of `events.jsonl`, parsed, in order. */
export function corpusLines<E = { tag: string; data: Record<string, unknown> }>(): CorpusLine<E>[] {
  return readSaltFixture('events.jsonl')
    .toString('utf8')
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text, i) => ({ line: i + 1, text, event: JSON.parse(text) as E }));
}
