import { asctime, JidFactory, jidToTime, saltStamp } from './time';
import { pyDumps, pyFloat } from './pyjson';

describe('Salt time formats', () => {
  it('should omit microseconds like isoformat() when they are zero', () => {
    expect(saltStamp(Date.UTC(2024, 4, 14, 10, 15, 0) * 1000)).toBe('2024-05-14T10:15:00');
    expect(saltStamp(Date.UTC(2024, 4, 14, 10, 15, 0) * 1000 + 127801)).toBe('2024-05-14T10:15:00.127801');
  });

  it('should format jid_to_time and refuse non-numeric jids', () => {
    expect(jidToTime('20240514101500123456')).toBe('2024, May 14 10:15:00.123456');
    expect(jidToTime('req')).toBe('');
  });

  it('should hand out strictly increasing 20-digit jids', () => {
    const f = new JidFactory();
    const jids = Array.from({ length: 1000 }, () => f.next());
    expect(jids.every((j) => /^\d{20}$/.test(j))).toBe(true);
    expect(new Set(jids).size).toBe(1000);
    expect([...jids].sort()).toEqual(jids);
  });

  it('should print asctime with a space-padded day', () => {
    expect(asctime(Date.UTC(2024, 4, 4, 10, 51, 14), 120)).toBe('Sat May  4 12:51:14 2024');
  });
});

describe('pyDumps', () => {
  it('should use Python separators and raw UTF-8', () => {
    expect(pyDumps({ a: [1, 'ü', null, true], b: {} })).toBe('{"a": [1, "ü", null, true], "b": {}}');
    expect(pyDumps('tab\there\u0001')).toBe('"tab\\there\\u0001"');
  });

  it('should never print an integral float from pyFloat', () => {
    expect(Number.isInteger(pyFloat(12))).toBe(false);
    expect(pyFloat(8123.4561)).toBe(8123.456);
  });
});
