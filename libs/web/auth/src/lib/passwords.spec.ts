import { formatWait, safeReturnUrl } from './passwords';

describe('safeReturnUrl', () => {
  it.each([
    ['/audit?decision=deny', '/audit?decision=deny'],
    ['/jobs/2026', '/jobs/2026'],
    [undefined, '/'],
    ['', '/'],
    ['https://evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/login?returnUrl=/x', '/'],
    ['/setup', '/'],
  ])('should turn %p into %p when used after sign-in', (raw, expected) => {
    expect(safeReturnUrl(raw)).toBe(expected);
  });
});

describe('formatWait', () => {
  it.each([
    [45, '45 s'],
    [60, '1 min'],
    [252, '4 min 12 s'],
    [7500, '2 h 5 min'],
  ])('should write %p seconds as %p when shown to the user', (seconds, expected) => {
    expect(formatWait(seconds)).toBe(expected);
  });
});
