import { performance } from 'node:perf_hooks';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Wall clock in microseconds since the epoch (Date.now() alone only has milliseconds). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function parts(us: number): { d: Date; micro: number } {
  const ms = Math.floor(us / 1000);
  return { d: new Date(ms), micro: us % 1_000_000 };
}

/**
 * Salt's `_stamp`: `datetime.utcnow().isoformat()`. Python leaves out `.ffffff` when the
 * microseconds are exactly zero, and so do we.
 */
export function saltStamp(us = nowMicros()): string {
  const { d, micro } = parts(us);
  const base =
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return micro === 0 ? base : `${base}.${pad(micro, 6)}`;
}

/** `%Y%m%d%H%M%S%f` in UTC, as `salt.utils.jid.gen_jid` builds it since 3000. */
export function jidFromMicros(us: number): string {
  const { d, micro } = parts(us);
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${pad(micro, 6)}`
  );
}

/** Jids are unique on a master: never hand out the same one twice, even within a microsecond. */
export class JidFactory {
  private last = 0;
  next(): string {
    let us = nowMicros();
    if (us <= this.last) us = this.last + 1;
    this.last = us;
    return jidFromMicros(us);
  }
}

/** `salt.utils.jid.jid_to_time`: "2024, May 14 10:15:00.123456", or "" for a non-numeric jid. */
export function jidToTime(jid: string): string {
  if (!/^\d{20}/.test(jid)) return '';
  const month = MONTHS[Number(jid.slice(4, 6)) - 1];
  if (!month) return '';
  return `${jid.slice(0, 4)}, ${month} ${jid.slice(6, 8)} ${jid.slice(8, 10)}:${jid.slice(10, 12)}:${jid.slice(12, 14)}.${jid.slice(14, 20)}`;
}

/** Microseconds since the epoch that a jid stands for (UTC clock). */
export function jidToMicros(jid: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{6})/.exec(jid);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return ms * 1000 + Number(m[7]);
}

/** Python's `time.asctime()` in a minion's local time: "Tue May 14 12:51:14 2024". */
export function asctime(ms: number, utcOffsetMinutes: number): string {
  const d = new Date(ms + utcOffsetMinutes * 60_000);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`
  );
}

/** A state entry's `start_time`: the minion's local time of day, "HH:MM:SS.ffffff". */
export function timeOfDay(us: number, utcOffsetMinutes: number): string {
  const local = us + utcOffsetMinutes * 60_000_000;
  const { d, micro } = parts(local);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micro, 6)}`;
}

/** RFC 1123 date for `Date` headers and cookie expiries. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
