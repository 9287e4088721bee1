import { formatDuration, formatRelative } from './time';

const NOW = Date.parse('2026-05-12T12:00:00Z');

describe('formatRelative', () => {
  it.each([
    ['2026-05-12T11:59:55Z', 'just now'],
    ['2026-05-12T12:00:05Z', 'just now'],
    ['2026-05-12T11:59:18Z', '42 s ago'],
    ['2026-05-12T11:55:00Z', '5 min ago'],
    ['2026-05-12T09:00:00Z', '3 h ago'],
    ['2026-05-10T12:00:00Z', '2 d ago'],
    ['2026-05-15T12:00:00Z', 'in 3 d'],
    ['2026-05-12T12:30:00Z', 'in 30 min'],
  ])('should say %s as %j when it is noon', (at, expected) => {
    expect(formatRelative(at, NOW)).toBe(expected);
  });

  it('should give the date when the time is weeks away', () => {
    expect(formatRelative('2026-08-10T12:00:00Z', NOW)).toBe(new Date('2026-08-10T12:00:00Z').toLocaleDateString(undefined, { dateStyle: 'medium' }));
    expect(formatRelative('not a date', NOW)).toBe('');
  });
});

describe('formatDuration', () => {
  it.each<[number | null, string]>([
    [null, ''],
    [340, '340 ms'],
    [1234, '1.2 s'],
    [42_000, '42 s'],
    [125_000, '2 min 5 s'],
    [120_000, '2 min'],
  ])('should write %j ms as %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
