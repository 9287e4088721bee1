import { Minion } from '../fleet/fleet';
import { fakePublicKey } from '../fleet/pki';
import { fnmatch } from '../util/glob';
import { asctime } from '../util/time';
import { MasterContext } from './context';

/**
 * Keys and minion connections: `salt/key` for key moves, `salt/auth` for every authentication
 * attempt (a pending minion retries every `acceptance_wait_time`), minion starts, restarts,
 * minions going silent, AES rotation and presence.
 */
export class KeyLifecycle {
  /** Minions waiting for their key to be accepted, with their retry timer. */
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private presenceTimer: NodeJS.Timeout | null = null;
  private lastPresent: string[] | null = null;

  constructor(private readonly m: MasterContext) {}

  private fireKey(act: 'accept' | 'reject' | 'delete', id: string): void {
    this.m.bus.fire('salt/key', { result: true, act, id });
  }

  /** Accepts pending keys (optionally rejected/denied ones too) matching any pattern. */
  accept(patterns: string[], includeRejected: boolean, includeDenied: boolean): string[] {
    const { fleet } = this.m;
    const src = [...fleet.pending, ...(includeRejected ? fleet.rejected : []), ...(includeDenied ? fleet.denied : [])];
    const moved = [...new Set(src)].filter((id) => matches(id, patterns)).sort();
    for (const id of moved) {
      fleet.setKey(id, 'accepted');
      fleet.denied.delete(id);
      this.fireKey('accept', id);
    }
    return moved;
  }

  reject(patterns: string[], includeAccepted: boolean, includeDenied: boolean): string[] {
    const { fleet } = this.m;
    const src = [...fleet.pending, ...(includeAccepted ? fleet.accepted : []), ...(includeDenied ? fleet.denied : [])];
    const moved = [...new Set(src)].filter((id) => matches(id, patterns)).sort();
    for (const id of moved) {
      fleet.setKey(id, 'rejected');
      fleet.denied.delete(id);
      this.fireKey('reject', id);
      const minion = fleet.minions.get(id);
      // An accepted minion that gets rejected is cut off the next time it authenticates.
      if (minion?.up) this.m.clock.after(this.m.rng.range(500, 3000), () => this.attemptAuth(minion));
    }
    return moved;
  }

  delete(patterns: string[]): string[] {
    const { fleet } = this.m;
    const src = [...fleet.accepted, ...fleet.pending, ...fleet.rejected, ...fleet.denied];
    const removed = [...new Set(src)].filter((id) => matches(id, patterns)).sort();
    for (const id of removed) {
      fleet.setKey(id, null);
      fleet.denied.delete(id);
      this.fireKey('delete', id);
      const minion = fleet.minions.get(id);
      // A running minion whose key was deleted re-submits it on its next authentication.
      if (minion?.up && !this.waiting.has(id)) this.scheduleAuth(minion, this.m.opts.authRetry * 1000);
    }
    return removed;
  }

  /** A minion process that is (re)starting and has to authenticate. */
  private scheduleAuth(minion: Minion, delayMs: number): void {
    this.m.clock.cancel(this.waiting.get(minion.id));
    this.waiting.set(
      minion.id,
      this.m.clock.after(delayMs, () => {
        this.waiting.delete(minion.id);
        this.attemptAuth(minion);
      }),
    );
  }

  /** One authentication attempt, as `salt/channel/server.py` judges and reports it. */
  attemptAuth(minion: Minion): void {
    const { fleet, bus } = this.m;
    const state = fleet.keyState(minion.id);
    if (state === 'accepted') {
      bus.fire('salt/auth', { result: true, act: 'accept', id: minion.id, pub: minion.pub });
      this.markStarted(minion);
      return;
    }
    if (state === 'rejected') {
      bus.fire('salt/auth', { result: false, id: minion.id, pub: minion.pub });
      // The minion gives up (no `rejected_retry`): the process stays down.
      minion.up = false;
      minion.running.clear();
      return;
    }
    // Unknown key → written to minions_pre; pending → same key again. Both report `pend`.
    if (state === null) fleet.setKey(minion.id, 'pending');
    minion.up = false;
    bus.fire('salt/auth', { result: true, act: 'pend', id: minion.id, pub: minion.pub });
    this.scheduleAuth(minion, this.m.opts.authRetry * 1000);
  }

  /** After a successful auth: legacy `minion_start`, then the namespaced start event. */
  private markStarted(minion: Minion): void {
    minion.up = true;
    const { bus, rng, clock } = this.m;
    const text = `Minion ${minion.id} started at ${asctime(Date.now(), minion.utcOffsetMinutes)}`;
    clock.after(rng.range(300, 900), () => {
      if (!minion.up) return;
      bus.fire('minion_start', { id: minion.id, cmd: '_minion_event', pretag: null, data: text, tag: 'minion_start' });
      const tag = `salt/minion/${minion.id}/start`;
      bus.fire(tag, { id: minion.id, cmd: '_minion_event', pretag: null, data: text, tag });
    });
  }

  /** A brand-new machine asks to join: its key goes to pending and it keeps asking. */
  newPendingMinion(id?: string): Minion {
    const { fleet } = this.m;
    const existing = id ? fleet.minions.get(id) : undefined;
    const minion = existing ?? fleet.createMinion(id);
    minion.up = false;
    this.attemptAuth(minion);
    return minion;
  }

  /** The minion goes silent: no returns, no events, nothing on the bus says so. */
  down(minion: Minion): void {
    minion.up = false;
    minion.running.clear();
    this.m.clock.cancel(this.waiting.get(minion.id));
    this.waiting.delete(minion.id);
  }

  /** The minion process starts (again) and authenticates right away. */
  up(minion: Minion): void {
    this.down(minion);
    this.scheduleAuth(minion, this.m.rng.range(100, 600));
  }

  /** A restart: down for a few seconds, then a fresh authentication and start events. */
  restart(minion: Minion, downForMs = this.m.rng.range(3000, 12000)): void {
    this.down(minion);
    this.scheduleAuth(minion, downForMs);
  }

  /** A machine presents a different key for an id already known: `act: denied`. */
  deny(id: string): void {
    const { fleet, bus, rng } = this.m;
    fleet.denied.add(id);
    bus.fire('salt/auth', { result: false, id, act: 'denied', pub: fakePublicKey(rng.fork(`denied:${id}`)) });
  }

  /** AES key rotation (`publish_session`): a `key` event, then every connected minion re-auths. */
  rotate(): void {
    const { bus, fleet, rng, clock } = this.m;
    bus.fire('key', { rotate_aes_key: true });
    for (const minion of fleet.upMinions()) {
      clock.after(rng.range(50, 3000), () => {
        if (minion.up && fleet.accepted.has(minion.id)) bus.fire('salt/auth', { result: true, act: 'accept', id: minion.id, pub: minion.pub });
      });
    }
  }

  /** `presence_events`: `change` when the set differs, then `present`, every loop_interval. */
  startPresence(intervalS: number): void {
    const tick = (): void => {
      this.presenceTick();
      this.presenceTimer = this.m.clock.after(intervalS * 1000, tick);
    };
    this.presenceTimer = this.m.clock.after(intervalS * 1000, tick);
  }

  presenceTick(): void {
    const present = this.m.fleet.upMinions().map((m) => m.id);
    const prev = this.lastPresent ?? [];
    const added = present.filter((id) => !prev.includes(id));
    const lost = prev.filter((id) => !present.includes(id));
    if (added.length || lost.length) this.m.bus.fire('salt/presence/change', { new: added, lost });
    this.m.bus.fire('salt/presence/present', { present });
    this.lastPresent = present;
  }

  isWaiting(id: string): boolean {
    return this.waiting.has(id);
  }

  stop(): void {
    this.m.clock.cancel(this.presenceTimer);
    for (const t of this.waiting.values()) this.m.clock.cancel(t);
    this.waiting.clear();
  }
}

function matches(id: string, patterns: string[]): boolean {
  return patterns.some((p) => fnmatch(id, p));
}
