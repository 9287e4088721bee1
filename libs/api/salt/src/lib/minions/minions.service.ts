import { Injectable, NotFoundException } from '@nestjs/common';
import {
  globMatches, type JobOutcome, type KeyState, type MinionDetailDto, type MinionDto, type MinionJobRefDto, type MinionsPageDto, type Principal,
} from '@sylvite/contracts';
import type { RequestContext } from '@sylvite/api-core';
import { type SaltKeys } from '@sylvite/api-salt-stream';
import { AppSettings } from '@sylvite/api-settings';
import type { MinionsQueryDto } from '../dto';
import { FleetService, type GrainsEntry } from '../fleet/fleet.service';
import { JobsRepository, type LastJobRow } from '../jobs/jobs.repository';
import { minionScope } from '../jobs/jobs.service';
import { keyStateOf, validKeyId } from '../keys/keys.service';
import { inMinionScope } from '../target/target';

/** Without the master's presence list, a minion heard from within this window counts as online. */
export const ONLINE_WINDOW_MS = 15 * 60_000;

interface Base {
  id: string;
  key_state: KeyState;
  os: string | null;
  os_release: string | null;
  ip: string | null;
  grains: GrainsEntry | null;
}

/** The address a console shows: the first IPv4 that is not loopback. */
export function primaryIp(grains: Record<string, unknown>): string | null {
  for (const key of ['fqdn_ip4', 'ipv4']) {
    const v = grains[key];
    if (!Array.isArray(v)) continue;
    const ip = v.find((x): x is string => typeof x === 'string' && !x.startsWith('127.') && x !== '0.0.0.0');
    if (ip) return ip;
  }
  return null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function ref(r: LastJobRow | undefined): MinionJobRefDto | null {
  return r ? { jid: r.jid, fun: r.fun, started_at: r.started_at.toISOString(), outcome: (r.outcome as JobOutcome | null) ?? null } : null;
}

/**
 * Minions: every key (any state) with its grains summary, presence and last jobs. Online means
 * connected per the master (`manage.present`, which lists the minions holding a connection, no
 * job published); where that runner cannot answer, heard from within the last 15 minutes (a
 * return, a start event or an answer to `grains.items`).
 */
@Injectable()
export class MinionsService {
  constructor(
    private readonly fleet: FleetService,
    private readonly jobs: JobsRepository,
    private readonly settings: AppSettings,
  ) {}

  async list(principal: Principal, q: MinionsQueryDto): Promise<MinionsPageDto> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const [keys, grains] = await Promise.all([this.fleet.keys(), this.fleet.allGrains()]);
    const scope = minionScope(principal, 'view:minion');
    let base = this.bases(keys, grains).filter((m) => inMinionScope(scope, m.id));
    if (q.id) base = base.filter((m) => globMatches(q.id as string, m.id));
    if (q.key_state) base = base.filter((m) => m.key_state === q.key_state);
    if (q.os) {
      const os = q.os.toLowerCase();
      base = base.filter((m) => (m.os ?? '').toLowerCase() === os || `${m.os ?? ''} ${m.os_release ?? ''}`.toLowerCase().startsWith(os));
    }
    if (q.ip) base = base.filter((m) => ipsOf(m).some((ip) => ip.startsWith(q.ip as string)));
    if (q.q) {
      const needle = q.q.toLowerCase();
      base = base.filter((m) => m.id.toLowerCase().includes(needle) || (m.os ?? '').toLowerCase().includes(needle) || ipsOf(m).some((ip) => ip.includes(needle)));
    }
    // Presence needs the database and salt-api per minion: with a status filter, for all matches; otherwise for the page only.
    if (q.status) {
      const all = await this.enrich(base);
      const matching = all.filter((m) => m.status === q.status);
      return { items: matching.slice(offset, offset + limit), total: matching.length, limit, offset };
    }
    return { items: await this.enrich(base.slice(offset, offset + limit)), total: base.length, limit, offset };
  }

  async one(principal: Principal, id: string, ctx?: RequestContext): Promise<MinionDetailDto> {
    const scope = minionScope(principal, 'view:minion');
    if (!validKeyId(id) || !inMinionScope(scope, id)) throw new NotFoundException(`no minion ${id}`);
    const keys = await this.fleet.keys();
    const state = keyStateOf(keys, id);
    if (!state) throw new NotFoundException(`no minion ${id}`);
    const grains = state === 'accepted' ? await this.fleet.grainsOf(id) : null;
    const b = baseOf(id, state, grains);
    const [m] = await this.enrich([b]);
    if (ctx) ctx.minions = [id];
    return { ...m, grains: b.grains?.grains ?? null, recent_jobs: (await this.jobs.jobsOfMinion(id, 10)).map((r) => ref(r) as MinionJobRefDto) };
  }

  private bases(keys: SaltKeys, grains: ReadonlyMap<string, GrainsEntry>): Base[] {
    const out: Base[] = [];
    const add = (ids: string[], state: KeyState) => {
      for (const id of ids) out.push(baseOf(id, state, state === 'accepted' ? (grains.get(id) ?? null) : null));
    };
    add(keys.minions, 'accepted');
    add(keys.minions_pre, 'pending');
    add(keys.minions_rejected, 'rejected');
    add(keys.minions_denied, 'denied');
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.key_state < b.key_state ? -1 : 1));
  }

  private async enrich(base: Base[]): Promise<MinionDto[]> {
    const ids = base.filter((b) => b.key_state === 'accepted').map((b) => b.id);
    const days = await this.settings.retentionDays();
    const [present, seen, last, highstates] = await Promise.all([
      this.fleet.present().catch(() => null),
      this.jobs.lastSeen(ids, days),
      this.jobs.lastJobs(ids, false),
      this.jobs.lastJobs(ids, true),
    ]);
    const now = Date.now();
    return base.map((b) => {
      const accepted = b.key_state === 'accepted';
      const times = [seen.get(b.id)?.getTime() ?? 0, b.grains?.answeredAt ?? 0];
      if (present?.ids.has(b.id)) times.push(present.at);
      const lastSeen = accepted ? Math.max(...times) : 0;
      const online = accepted && (present ? present.ids.has(b.id) : lastSeen > now - ONLINE_WINDOW_MS);
      return {
        id: b.id,
        key_state: b.key_state,
        status: online ? 'online' : 'offline',
        last_seen: lastSeen ? new Date(lastSeen).toISOString() : null,
        os: b.os,
        os_release: b.os_release,
        ip: b.ip,
        last_job: accepted ? ref(last.get(b.id)) : null,
        last_highstate: accepted ? ref(highstates.get(b.id)) : null,
      };
    });
  }
}

function baseOf(id: string, key_state: KeyState, g: GrainsEntry | null): Base {
  return {
    id,
    key_state,
    os: g ? str(g.grains['os']) : null,
    os_release: g ? str(g.grains['osrelease']) : null,
    ip: g ? primaryIp(g.grains) : null,
    grains: g,
  };
}

function ipsOf(m: Base): string[] {
  if (!m.grains) return m.ip ? [m.ip] : [];
  const v = m.grains.grains['ipv4'];
  const list = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return m.ip && !list.includes(m.ip) ? [m.ip, ...list] : list;
}
