import { pyDumps } from '../util/pyjson';
import { saltStamp } from '../util/time';
import { trimEvent } from './trim';

export type EventData = Record<string, unknown>;

/** One event as salt-api writes it: two `yield`s, hence two strings (and two HTTP chunks). */
export interface Frame {
  tag: string;
  tagLine: string;
  dataLine: string;
}

export type FrameListener = (frame: Frame, data: EventData | null) => void;

export const RETRY_LINE = 'retry: 400\n';

/** `tag: <tag>\n` + `data: <json>\n\n`, the body bytes of `Events.GET` for one event. */
export function frameFor(tag: string, eventJson: string): Frame {
  return { tag, tagLine: `tag: ${tag}\n`, dataLine: `data: ${eventJson}\n\n` };
}

/** The full bus event serialised like `salt.utils.json.dumps({"data": …, "tag": …})`. */
export function serializeEvent(tag: string, data: unknown): string {
  return pyDumps({ data, tag });
}

export interface BusCounters {
  fired: number;
  bytes: number;
  byKind: Record<string, number>;
}

/** Coarse families of tags, for counters that benchmarks read back. */
export function kindOf(tag: string): string {
  if (/^salt\/job\/[^/]+\/new$/.test(tag)) return 'job.new';
  if (/^salt\/job\/[^/]+\/ret\//.test(tag)) return 'job.ret';
  if (/^salt\/job\//.test(tag)) return 'job.other';
  if (/^\d{20}/.test(tag)) return 'jid';
  if (tag.startsWith('salt/run/')) return 'run';
  if (tag.startsWith('salt/wheel/')) return 'wheel';
  if (tag === 'salt/key') return 'key';
  if (tag === 'salt/auth') return 'auth';
  if (tag === 'minion_start' || /^salt\/minion\/.+\/start$/.test(tag)) return 'minion.start';
  if (tag.startsWith('salt/presence/')) return 'presence';
  if (tag.startsWith('salt/netapi/hook/')) return 'hook';
  return 'other';
}

/**
 * The master event bus. Every fire stamps `_stamp` in place (so a re-fired dict keeps the key
 * where it was, as Salt's re-used dicts do), trims oversized events and fans the frame out.
 */
export class EventBus {
  private readonly listeners = new Set<FrameListener>();
  readonly counters: BusCounters = { fired: 0, bytes: 0, byKind: {} };

  constructor(private readonly maxEventSize: number) {}

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fires `data` on `tag`. Pass `keepStamp` to send a caller-provided `_stamp` unchanged. */
  fire(tag: string, data: EventData, keepStamp = false): Frame {
    if (!keepStamp || typeof data['_stamp'] !== 'string') data['_stamp'] = saltStamp();
    const sent = trimEvent(data, this.maxEventSize);
    const frame = frameFor(tag, serializeEvent(tag, sent));
    this.dispatch(frame, sent);
    return frame;
  }

  /** Fires an already serialised event (load mode builds its JSON from templates). */
  fireSerialized(tag: string, eventJson: string): void {
    this.dispatch(frameFor(tag, eventJson), null);
  }

  private dispatch(frame: Frame, data: EventData | null): void {
    const kind = kindOf(frame.tag);
    this.counters.fired++;
    this.counters.bytes += Buffer.byteLength(frame.tagLine) + Buffer.byteLength(frame.dataLine);
    this.counters.byKind[kind] = (this.counters.byKind[kind] ?? 0) + 1;
    for (const l of this.listeners) l(frame, data);
  }
}
