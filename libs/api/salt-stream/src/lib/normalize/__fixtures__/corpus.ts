import { corpusLines, type CorpusLine as FixtureLine } from '@sylvite/salt-fixtures';
import type { SaltEvent } from '../types';

export type CorpusLine = FixtureLine<SaltEvent>;

/** The project's Salt event corpus (`@sylvite/salt-fixtures`), typed as the normalizer reads it. */
export function loadCorpus(): CorpusLine[] {
  return corpusLines<SaltEvent>();
}
