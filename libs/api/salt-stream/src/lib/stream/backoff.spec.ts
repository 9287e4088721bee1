import { Backoff } from './backoff';

describe('Backoff', () => {
  it('should double the step up to the cap when attempts keep failing', () => {
    const b = new Backoff({ initialMs: 400, maxMs: 3000, random: () => 0.999999 });
    const delays = Array.from({ length: 6 }, () => b.next());
    expect(delays).toEqual([400, 800, 1600, 3000, 3000, 3000]);
  });

  it('should keep at least half the step when the jitter draws zero', () => {
    const b = new Backoff({ initialMs: 400, maxMs: 30_000, random: () => 0 });
    expect([b.next(), b.next(), b.next()]).toEqual([200, 400, 800]);
  });

  it('should start over from the first step when reset', () => {
    const b = new Backoff({ initialMs: 100, random: () => 0.5 });
    b.next();
    b.next();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(75);
  });

  it('should spread delays of the same attempt when the random source varies', () => {
    const values = [0.1, 0.9];
    const a = new Backoff({ initialMs: 1000, random: () => values[0] });
    const b = new Backoff({ initialMs: 1000, random: () => values[1] });
    expect(a.next()).not.toBe(b.next());
  });
});
