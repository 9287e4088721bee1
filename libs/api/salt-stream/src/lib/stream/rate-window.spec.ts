import { RateWindow } from './rate-window';

describe('RateWindow', () => {
  it('should average complete seconds when events span several seconds', () => {
    let t = 1_000_000;
    const w = new RateWindow(10, () => t);
    for (let s = 0; s < 5; s++) {
      w.add(20);
      t += 1000;
    }
    expect(w.perSecond()).toBe(10);
  });

  it('should not count the current, partial second', () => {
    const t = 5_000_500;
    const w = new RateWindow(10, () => t);
    w.add(100);
    expect(w.perSecond()).toBe(0);
  });

  it('should forget seconds older than the window', () => {
    let t = 0;
    const w = new RateWindow(5, () => t);
    w.add(50);
    t += 20_000;
    expect(w.perSecond()).toBe(0);
  });
});
