import { loadCorpus } from '../normalize/__fixtures__/corpus';
import { aJobNew, aJobReturn } from '../normalize/__fixtures__/events';
import { normalize, NormalizerState, type NormalizedActivity, type SaltEvent } from '../normalize';

/** Every activity row the shared corpus normalizes to (71 events → the stored subset). */
export function corpusRows(): NormalizedActivity[] {
  const state = new NormalizerState({ apiUser: 'saltapi' });
  const rows: NormalizedActivity[] = [];
  for (const { event, text } of loadCorpus()) {
    const r = normalize(event, state, { rawJson: text, receivedAt: new Date('2024-05-14T12:00:00Z') });
    if (r.type === 'activity') rows.push(r.row);
  }
  return rows;
}

/** A `job.ret` row for `jid`/`minion`, optionally with a tag the poison trigger refuses. */
export function returnRow(jid: string, minion: string, data: Record<string, unknown> = {}, tag?: string): NormalizedActivity {
  const event: SaltEvent = aJobReturn({ jid, id: minion, ...data });
  const r = normalize(event, new NormalizerState(), { receivedAt: new Date() });
  if (r.type !== 'activity') throw new Error(`not activity: ${r.reason}`);
  if (tag) r.row.tag = tag;
  return r.row;
}

export function dispatchRow(jid: string, data: Record<string, unknown> = {}): NormalizedActivity {
  const event = aJobNew({ jid, ...data });
  const r = normalize(event, new NormalizerState(), { receivedAt: new Date() });
  if (r.type !== 'activity') throw new Error(`not activity: ${r.reason}`);
  return r.row;
}
