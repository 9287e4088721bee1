import { Rng } from '../util/rng';
import { makeGrains, OsProfile, pickOs } from './grains';
import { fakePublicKey, fingerprint } from './pki';

export interface RunningJob {
  jid: string;
  pid: number;
  fun: string | string[];
  arg: unknown[];
  tgt: unknown;
  tgt_type: string;
  user?: string;
  timer: NodeJS.Timeout | null;
}

/** One simulated salt-minion: its identity, grains, key, and what it is running right now. */
export class Minion {
  up = true;
  readonly running = new Map<string, RunningJob>();
  private pid: number;

  constructor(
    readonly id: string,
    readonly role: string,
    readonly os: OsProfile,
    readonly grains: Record<string, unknown>,
    readonly pub: string,
    /** Minions live in different time zones; `start_time` and `minion_start` use local time. */
    readonly utcOffsetMinutes: number,
    rng: Rng,
  ) {
    this.pid = rng.int(1200, 30000);
  }

  nextPid(): number {
    this.pid += 1 + (this.pid % 7);
    if (this.pid > 4_000_000) this.pid = 1200;
    return this.pid;
  }

  get fingerprint(): string {
    return fingerprint(this.pub);
  }
}

export type KeyState = 'accepted' | 'pending' | 'rejected' | 'denied';

const ROLE_CYCLE = ['web', 'web', 'app', 'db', 'web', 'cache', 'app', 'lb', 'db', 'mon', 'app', 'web', 'queue', 'build'];

/** The keys directory plus the minion data cache: who exists, in which key state, with which grains. */
export class Fleet {
  readonly minions = new Map<string, Minion>();
  readonly accepted = new Set<string>();
  readonly pending = new Set<string>();
  readonly rejected = new Set<string>();
  readonly denied = new Set<string>();
  readonly domain = 'example.com';
  /** Master `nodegroups` config. */
  readonly nodegroups: Record<string, string> = {
    webservers: 'G@roles:web',
    databases: 'G@roles:db',
    frontend: 'web* or lb*',
    debian: 'G@os_family:Debian',
    prod_web: 'N@webservers and G@env:prod',
  };
  private readonly roleCounts = new Map<string, number>();
  private created = 0;
  private readonly width: number;

  constructor(
    private readonly rng: Rng,
    initial: number,
  ) {
    this.width = initial > 300 ? 4 : initial > 30 ? 3 : 2;
    for (let i = 0; i < initial; i++) {
      const m = this.createMinion();
      this.accepted.add(m.id);
    }
  }

  /** The id the next new machine of `role` would get, e.g. `web05.example.com`. */
  nextId(role: string): string {
    const n = (this.roleCounts.get(role) ?? 0) + 1;
    return `${role}${String(n).padStart(this.width, '0')}.${this.domain}`;
  }

  nextRole(): string {
    return ROLE_CYCLE[this.created % ROLE_CYCLE.length];
  }

  /** Builds a minion (not yet in any key directory). */
  createMinion(id?: string, role?: string): Minion {
    const r = role ?? (id ? roleFromId(id) : this.nextRole());
    let mid = id;
    if (!mid) {
      mid = this.nextId(r);
      this.roleCounts.set(r, (this.roleCounts.get(r) ?? 0) + 1);
    }
    const rng = this.rng.fork(mid);
    const os = pickOs(rng, r);
    const grains = makeGrains(mid, r, this.created, os, rng);
    const offset = rng.pick([0, 0, 60, 120, -300]);
    const m = new Minion(mid, r, os, grains, fakePublicKey(rng), offset, rng);
    this.created++;
    this.minions.set(mid, m);
    return m;
  }

  keyState(id: string): KeyState | null {
    if (this.accepted.has(id)) return 'accepted';
    if (this.pending.has(id)) return 'pending';
    if (this.rejected.has(id)) return 'rejected';
    if (this.denied.has(id)) return 'denied';
    return null;
  }

  setKey(id: string, state: KeyState | null): void {
    this.accepted.delete(id);
    this.pending.delete(id);
    this.rejected.delete(id);
    if (state !== 'denied') this.denied.delete(id);
    if (state === 'accepted') this.accepted.add(id);
    else if (state === 'pending') this.pending.add(id);
    else if (state === 'rejected') this.rejected.add(id);
    else if (state === 'denied') this.denied.add(id);
  }

  acceptedIds(): string[] {
    return [...this.accepted].sort();
  }

  /** Accepted minions whose process is running and connected. */
  upMinions(): Minion[] {
    return this.acceptedIds()
      .map((id) => this.minions.get(id))
      .filter((m): m is Minion => !!m && m.up);
  }

  /** `key.list_all`: accepted, pending, rejected, denied, then the master's own keys. */
  listAll(): Record<string, string[]> {
    return {
      minions: sortIgnoreCase(this.accepted),
      minions_pre: sortIgnoreCase(this.pending),
      minions_rejected: sortIgnoreCase(this.rejected),
      minions_denied: sortIgnoreCase(this.denied),
      local: ['master.pem', 'master.pub'],
    };
  }
}

export function sortIgnoreCase(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}

function roleFromId(id: string): string {
  const m = /^([a-z]+)/i.exec(id);
  const r = m ? m[1].toLowerCase() : 'app';
  return ROLE_CYCLE.includes(r) ? r : 'app';
}
