import { EventBus } from '../bus/event-bus';
import { Fleet } from '../fleet/fleet';
import { SimOptions } from '../options';
import { Logger } from '../util/logger';
import { Rng } from '../util/rng';
import { JidFactory } from '../util/time';
import { AuthStore } from './auth';
import { JobCache } from './job-cache';

/** Timers in simulated time (divided by `--speed`), all cancelled on close. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(readonly speed: number) {}

  /** Runs `fn` after `simMs` simulated milliseconds. */
  after(simMs: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        if (!this.closed) fn();
      },
      Math.max(0, simMs / this.speed),
    );
    this.timers.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | null | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  sleep(simMs: number): Promise<void> {
    return new Promise((resolve) => this.after(simMs, resolve));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** What every part of the simulated master shares. */
export interface MasterContext {
  opts: SimOptions;
  bus: EventBus;
  fleet: Fleet;
  cache: JobCache;
  auth: AuthStore;
  jids: JidFactory;
  rng: Rng;
  clock: Scheduler;
  logger: Logger;
  /** The master's own minion id (`<hostname>_master`), under which runner returns are cached. */
  masterId: string;
  /** `get_specific_user()` of the master process, the `user` of jobs the master starts itself. */
  masterUser: string;
}
