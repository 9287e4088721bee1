/**
 * Events per second over a sliding window of one-second buckets: cheap enough to call on every
 * event (one array write), read once a second for the status.
 */
export class RateWindow {
  private readonly buckets: number[];
  private readonly seconds: number[];

  constructor(private readonly windowSeconds = 10, private readonly now: () => number = Date.now) {
    this.buckets = new Array<number>(windowSeconds).fill(0);
    this.seconds = new Array<number>(windowSeconds).fill(-1);
  }

  add(n = 1): void {
    const sec = Math.floor(this.now() / 1000);
    const i = sec % this.windowSeconds;
    if (this.seconds[i] !== sec) {
      this.seconds[i] = sec;
      this.buckets[i] = 0;
    }
    this.buckets[i] += n;
  }

  /** Average per second over the complete seconds of the window (the current one is partial). */
  perSecond(): number {
    const sec = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const s = this.seconds[i];
      if (s < sec && s >= sec - this.windowSeconds) sum += this.buckets[i];
    }
    return Math.round((sum / this.windowSeconds) * 10) / 10;
  }
}
