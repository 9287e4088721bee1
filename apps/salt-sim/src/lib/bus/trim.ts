import { pyDumps } from '../util/pyjson';

export const TRIMMED = 'VALUE_TRIMMED';

/**
 * Python's `sys.getsizeof`, which is what `salt.utils.dicttrim` compares against: a string
 * costs its length plus a header, but a list only costs its pointer array — so a long list of
 * small strings is never trimmed, exactly as in Salt.
 */
function getsizeof(v: unknown): number {
  if (v === null || v === undefined) return 16;
  if (typeof v === 'string') return 49 + Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'boolean') return 28;
  if (Array.isArray(v)) return 56 + 8 * v.length;
  return 64 + 8 * Object.keys(v as object).length;
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function trimInDict(data: Record<string, unknown>, maxValSize: number): void {
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (isDict(v)) trimInDict(v, maxValSize);
    else if (getsizeof(v) > maxValSize) data[key] = TRIMMED;
  }
}

export function eventSize(data: unknown): number {
  return Buffer.byteLength(pyDumps(data));
}

/**
 * `salt.utils.dicttrim.trim_dict` as `SaltEvent.fire_event` applies it: values larger than a
 * shrinking share of `max_event_size` (50 %, 40 %, … 10 %) become "VALUE_TRIMMED" until the
 * event fits. Works on a copy: the job cache keeps the full data.
 */
export function trimEvent(data: Record<string, unknown>, maxBytes: number): Record<string, unknown> {
  if (eventSize(data) <= maxBytes) return data;
  const copy = structuredClone(data);
  let percent = 50;
  for (;;) {
    const maxValSize = maxBytes * (percent / 100);
    for (const key of Object.keys(copy)) {
      const v = copy[key];
      if (isDict(v)) trimInDict(v, maxValSize);
      else if (getsizeof(v) > maxValSize) copy[key] = TRIMMED;
    }
    percent -= 10;
    if (eventSize(copy) < maxBytes || percent <= 0) return copy;
  }
}
