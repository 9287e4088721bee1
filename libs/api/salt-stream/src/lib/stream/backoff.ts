export interface BackoffOptions {
  /** First delay; salt-api's own hint is `retry: 400`. */
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Random source in [0, 1), for tests. */
  random?: () => number;
}

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed, half random, so that
 * replicas (or a fleet of consoles) that lost salt-api together do not return in lockstep, while
 * a delay never collapses to zero.
 */
export class Backoff {
  private attempt = 0;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 400;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.random = opts.random ?? Math.random;
  }

  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call grows the step until the cap. */
  next(): number {
    const step = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
