import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SaltEvent } from '../types';

/**
 * The specs live in a `shared/` folder beside the repository (CI clones it as `../shared`), or
 * inside it. Walk up from here until a `shared/salt/events.jsonl` appears; SYLVITE_SHARED_DIR wins.
 */
export function findSharedSaltDir(start = __dirname): string {
  const fromEnv = process.env['SYLVITE_SHARED_DIR'];
  if (fromEnv && existsSync(join(fromEnv, 'salt', 'events.jsonl'))) return join(fromEnv, 'salt');
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'shared', 'salt');
    if (existsSync(join(candidate, 'events.jsonl'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no shared/salt/events.jsonl above ${start}; set SYLVITE_SHARED_DIR`);
    dir = parent;
  }
}

export interface CorpusLine {
  /** 1-based, as PROTOCOL.md Appendix A numbers them. */
  line: number;
  text: string;
  event: SaltEvent;
}

export function loadCorpus(): CorpusLine[] {
  const file = join(findSharedSaltDir(), 'events.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text, i) => ({ line: i + 1, text, event: JSON.parse(text) as SaltEvent }));
}
