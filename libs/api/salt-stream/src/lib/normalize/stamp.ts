// `datetime.utcnow().isoformat()`: UTC without an offset, `.ffffff` omitted when microseconds are 0;
// before March 2014 the separator was `_`. An offset is accepted in case a proxy or replay adds one.
const STAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T_ ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses Salt's `_stamp`; null when absent or malformed (the caller falls back to receipt time). */
export function parseSaltStamp(stamp: unknown): Date | null {
  if (typeof stamp !== 'string') return null;
  const m = STAMP_RE.exec(stamp);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(year, month, day, hour, minute, second, ms);
  // Date.UTC rolls 2024-02-31 over into March: such a stamp is malformed, not a date.
  const check = new Date(t);
  if (check.getUTCMonth() !== month || check.getUTCDate() !== day) return null;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new Date(t);
}
