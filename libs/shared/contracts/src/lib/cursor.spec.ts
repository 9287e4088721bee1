import { decodeCursor, encodeCursor } from './cursor';

describe('cursor codec', () => {
  it('should round-trip a timestamp with microseconds and a bigint id', () => {
    const raw = encodeCursor('2026-05-12T11:30:00.123456Z', '9007199254740993');
    expect(raw).toBe('2026-05-12T11:30:00.123456Z|9007199254740993');
    expect(decodeCursor(raw)).toEqual({ at: '2026-05-12T11:30:00.123456Z', id: '9007199254740993' });
  });

  it('should encode a Date as ISO UTC', () => {
    expect(encodeCursor(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), 7)).toBe('2026-01-02T03:04:05.006Z|7');
  });

  it('should accept an explicit offset as the seed shows', () => {
    expect(decodeCursor('2026-05-12T12:05:00.000000+00:00|42')).toEqual({ at: '2026-05-12T12:05:00.000000+00:00', id: '42' });
  });

  it('should carry a total, exact or a bound, and read it back', () => {
    expect(encodeCursor('2026-05-12T11:30:00Z', '7', { total: 42, estimate: false })).toBe('2026-05-12T11:30:00Z|7|42');
    expect(encodeCursor('2026-05-12T11:30:00Z', '7', { total: 10_000, estimate: true })).toBe('2026-05-12T11:30:00Z|7|~10000');
    expect(decodeCursor('2026-05-12T11:30:00Z|7|42')).toEqual({ at: '2026-05-12T11:30:00Z', id: '7', count: { total: 42, estimate: false } });
    expect(decodeCursor('2026-05-12T11:30:00Z|7|~10000')).toEqual({
      at: '2026-05-12T11:30:00Z', id: '7', count: { total: 10_000, estimate: true },
    });
  });

  it.each([
    ['', 'empty'],
    ['2026-05-12T11:30:00Z', 'no id'],
    ['2026-05-12T11:30:00Z|', 'empty id'],
    ['2026-05-12T11:30:00Z|abc', 'non-numeric id'],
    ['2026-05-12|1', 'date only'],
    ['2026-13-45T99:99:99Z|1', 'impossible date'],
    ['not-a-date|1', 'garbage'],
    ['2026-05-12T11:30:00Z|1|2|3', 'extra part'],
    ['2026-05-12T11:30:00Z|1|', 'empty total'],
    ['2026-05-12T11:30:00Z|1|x', 'non-numeric total'],
    ['2026-05-12T11:30:00Z|1|123456', 'total past the cap\'s digits'],
    ['2026-05-12T11:30:00Z|1|-2', 'negative total'],
    ['2026-05-12T11:30:00|1', 'no zone'],
  ])('should reject %p (%s)', (raw) => {
    expect(decodeCursor(raw)).toBeNull();
  });
});
