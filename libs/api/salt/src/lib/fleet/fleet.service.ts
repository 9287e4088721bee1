import { Injectable, Logger } from '@nestjs/common';
import { SaltApiClient, type SaltKeys } from '@sylvite/api-salt-stream';

export interface GrainsEntry {
  grains: Record<string, unknown>;
  /** When the minion itself answered `grains.items` (null: read from the master's grains cache). */
  answeredAt: number | null;
}

export interface Presence {
  ids: ReadonlySet<string>;
  at: number;
}

/** Grains are refreshed in the background once older than this. */
export const GRAINS_MAX_AGE_MS = 60_000;
/** The first load of the grains waits at most this long; later requests never wait. */
const GRAINS_FIRST_WAIT_MS = 5_000;
const PRESENCE_MAX_AGE_MS = 10_000;
/** A runner found missing (an old master, or the simulator) is not asked again for this long. */
const MISSING_RUNNER_RETRY_MS = 10 * 60_000;

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What salt-api says about the fleet, cached briefly: keys (never cached: a wheel call, cheap),
 * presence (`manage.present`: the master's own list of connected minions, no job published), and
 * grains. Grains come from the master's grains cache (runner `cache.grains`, no job) and, where
 * that runner is missing, from `GET /minions` (a `grains.items` job to every minion); the last
 * known grains of a minion that did not answer are kept.
 */
@Injectable()
export class FleetService {
  private readonly logger = new Logger('SaltFleet');
  private grains = new Map<string, GrainsEntry>();
  private grainsAt = 0;
  private grainsLoading: Promise<void> | null = null;
  private presence: Presence | null = null;
  private presenceLoading: Promise<Presence | null> | null = null;
  private readonly missingRunner = new Map<string, number>();

  constructor(private readonly client: SaltApiClient) {}

  keys(): Promise<SaltKeys> {
    return this.client.keys();
  }

  /** A runner function's return, or null when the master does not have it (its answer is then a string). */
  async runner(fun: string, kwargs: Record<string, unknown> = {}): Promise<unknown | null> {
    const missingAt = this.missingRunner.get(fun);
    if (missingAt !== undefined && Date.now() - missingAt < MISSING_RUNNER_RETRY_MS) return null;
    const [ret] = await this.client.run({ client: 'runner', fun, ...kwargs });
    if (typeof ret === 'string' && /is not available/i.test(ret)) {
      this.missingRunner.set(fun, Date.now());
      this.logger.warn(`the salt master has no runner ${fun}: ${ret}`);
      return null;
    }
    return ret ?? null;
  }

  /**
   * The minions the master's own matcher selects for a target, read through `cache.grains`
   * (`CkMinions.check_minions`, the same resolution a publish uses, limited to minions whose
   * grains the master has cached). Null when the runner is missing.
   */
  async cachedTargetMinions(target: string | readonly string[], targetType: string): Promise<string[] | null> {
    const ret = await this.runner('cache.grains', { tgt: target, tgt_type: targetType });
    if (ret === null) return null;
    return isDict(ret) ? Object.keys(ret).sort() : [];
  }

  /** Connected minions per the master, cached for 10 s; null when the runner is missing or fails. */
  async present(): Promise<Presence | null> {
    if (this.presence && Date.now() - this.presence.at < PRESENCE_MAX_AGE_MS) return this.presence;
    this.presenceLoading ??= (async () => {
      try {
        const ret = await this.runner('manage.present');
        if (!Array.isArray(ret)) return this.presence;
        this.presence = { ids: new Set(ret.filter((x): x is string => typeof x === 'string')), at: Date.now() };
        return this.presence;
      } catch (err) {
        this.logger.debug(`manage.present failed: ${(err as Error).message}`);
        return null;
      } finally {
        this.presenceLoading = null;
      }
    })();
    return this.presenceLoading;
  }

  /**
   * Grains by minion id. Fresh enough: returned at once; stale: returned at once and refreshed in
   * the background; never loaded: the first load is awaited (bounded).
   */
  async allGrains(): Promise<ReadonlyMap<string, GrainsEntry>> {
    const stale = Date.now() - this.grainsAt >= GRAINS_MAX_AGE_MS;
    if (stale) {
      const loading = this.refreshGrains();
      if (this.grainsAt === 0) {
        await Promise.race([loading, new Promise((r) => setTimeout(r, GRAINS_FIRST_WAIT_MS).unref())]);
      }
    }
    return this.grains;
  }

  /** One minion's grains: asked of salt-api when unknown (`GET /minions/<id>`), else from the cache. */
  async grainsOf(id: string): Promise<GrainsEntry | null> {
    const all = await this.allGrains();
    const known = all.get(id);
    if (known) return known;
    try {
      const one = await this.client.minions(id);
      const g = one[id];
      if (!isDict(g)) return null;
      const entry = { grains: g, answeredAt: Date.now() };
      this.grains.set(id, entry);
      return entry;
    } catch (err) {
      this.logger.debug(`grains of ${id}: ${(err as Error).message}`);
      return null;
    }
  }

  private refreshGrains(): Promise<void> {
    this.grainsLoading ??= (async () => {
      try {
        const next = new Map(this.grains);
        const cached = await this.runner('cache.grains', { tgt: '*', tgt_type: 'glob' });
        if (isDict(cached) && Object.keys(cached).length) {
          for (const [id, g] of Object.entries(cached)) {
            if (isDict(g)) next.set(id, { grains: g, answeredAt: next.get(id)?.answeredAt ?? null });
          }
        } else {
          const answered = await this.client.minions();
          const now = Date.now();
          for (const [id, g] of Object.entries(answered)) if (isDict(g)) next.set(id, { grains: g, answeredAt: now });
        }
        this.grains = next;
        this.grainsAt = Date.now();
      } catch (err) {
        // Keep serving the last grains; try again on the next request after a short pause.
        this.grainsAt = Date.now() - GRAINS_MAX_AGE_MS + 5_000;
        this.logger.warn(`could not refresh grains: ${(err as Error).message}`);
      } finally {
        this.grainsLoading = null;
      }
    })();
    return this.grainsLoading;
  }
}
