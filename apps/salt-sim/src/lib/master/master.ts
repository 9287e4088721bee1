import { EventBus } from '../bus/event-bus';
import { Fleet } from '../fleet/fleet';
import { resolveTarget } from '../fleet/targeting';
import { SimOptions } from '../options';
import { Logger } from '../util/logger';
import { Rng } from '../util/rng';
import { JidFactory } from '../util/time';
import { AuthStore, EauthToken } from './auth';
import { MasterContext, Scheduler } from './context';
import { EauthError, SaltInvocationError } from './errors';
import { JobCache } from './job-cache';
import { KeyLifecycle } from './key-lifecycle';
import { LocalJobs } from './local';
import { reformatLow, Runners } from './runners';
import { Wheel } from './wheel';

/** `salt.netapi.CLIENTS`, all enabled here (`netapi_enable_clients` lists every one). */
export const CLIENTS = ['local', 'local_async', 'local_batch', 'local_subset', 'runner', 'runner_async', 'ssh', 'wheel', 'wheel_async'];

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The simulated salt-master: fleet, event bus, job cache, eauth, and the netapi clients. */
export class Master {
  readonly ctx: MasterContext;
  readonly local: LocalJobs;
  readonly runners: Runners;
  readonly keys: KeyLifecycle;
  readonly wheel: Wheel;

  constructor(opts: SimOptions, logger: Logger) {
    const rng = new Rng(opts.seed);
    this.ctx = {
      opts,
      bus: new EventBus(opts.maxEventSize),
      fleet: new Fleet(rng.fork('fleet'), opts.minions),
      cache: new JobCache(opts.jobCacheSize),
      auth: new AuthStore(opts.user, opts.password, opts.tokenExpire),
      jids: new JidFactory(),
      rng: rng.fork('master'),
      clock: new Scheduler(opts.speed),
      logger,
      masterId: 'salt-master_master',
      masterUser: 'root',
    };
    this.local = new LocalJobs(this.ctx);
    this.runners = new Runners(this.ctx, this.local);
    this.keys = new KeyLifecycle(this.ctx);
    this.wheel = new Wheel(this.ctx, this.keys);
    if (opts.presence) this.keys.startPresence(opts.presenceInterval);
  }

  get bus(): EventBus {
    return this.ctx.bus;
  }

  get fleet(): Fleet {
    return this.ctx.fleet;
  }

  /**
   * `NetapiClient.run` for one lowstate chunk: client check, credentials (a `token` added from
   * the session, or `username`/`password`/`eauth` in the chunk), then the client itself.
   */
  async run(chunk: Record<string, unknown>): Promise<unknown> {
    const client = chunk['client'];
    if (typeof client !== 'string' || !CLIENTS.includes(client)) throw new SaltInvocationError(`Invalid client specified: '${String(client)}'`);
    if (!('token' in chunk) && !('eauth' in chunk)) throw new EauthError('No authentication credentials given');
    const user = this.authenticate(chunk).name;
    const fun = chunk['fun'];
    if (fun === undefined || fun === null || fun === '') throw new SaltInvocationError('Missing fun');
    const arg = chunk['arg'] === undefined ? [] : Array.isArray(chunk['arg']) ? (chunk['arg'] as unknown[]) : [chunk['arg']];
    const kwarg = isDict(chunk['kwarg']) ? chunk['kwarg'] : undefined;
    const metadata = isDict(chunk['metadata']) ? chunk['metadata'] : undefined;
    const num = (v: unknown): number | undefined => (v === undefined || v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

    switch (client) {
      case 'local_async': {
        this.requireTgt(chunk);
        const pub = this.local.publish({ tgt: chunk['tgt'], tgtType: str(chunk['tgt_type']), fun: fun as string | string[], arg, kwarg, user, metadata });
        return pub ?? {};
      }
      case 'local':
      case 'local_subset': {
        this.requireTgt(chunk);
        let tgt = chunk['tgt'];
        let tgtType = str(chunk['tgt_type']);
        if (client === 'local_subset') {
          const n = num(chunk['subset']) ?? 3;
          const ids = resolveTarget(this.ctx.fleet, tgt, tgtType ?? 'glob').minions.filter((id) => this.ctx.fleet.minions.get(id)?.up);
          tgt = shuffle(ids, this.ctx.rng.fork('subset')).slice(0, n);
          tgtType = 'list';
        }
        const { returns } = await this.local.runSync(
          { tgt, tgtType, fun: fun as string | string[], arg, kwarg, user, metadata },
          num(chunk['timeout']),
          num(chunk['gather_job_timeout']),
        );
        const out: Record<string, unknown> = {};
        for (const [id, r] of returns) out[id] = chunk['full_return'] ? { ret: r.return, retcode: r.retcode, jid: '' } : r.return;
        return out;
      }
      case 'local_batch': {
        this.requireTgt(chunk);
        const ids = resolveTarget(this.ctx.fleet, chunk['tgt'], str(chunk['tgt_type']) ?? 'glob').minions;
        const spec = String(chunk['batch'] ?? '10%');
        const size = Math.max(1, spec.endsWith('%') ? Math.ceil((ids.length * Number(spec.slice(0, -1))) / 100) : Number(spec) || 1);
        const results: Record<string, unknown> = {};
        for (let i = 0; i < ids.length; i += size) {
          const { returns } = await this.local.runSync({ tgt: ids.slice(i, i + size), tgtType: 'list', fun: fun as string, arg, kwarg, user, metadata }, num(chunk['timeout']));
          for (const [id, r] of returns) results[id] = r.return;
        }
        return results;
      }
      case 'runner':
      case 'runner_async': {
        const { args, kwargs } = reformatLow(chunk);
        const started = this.runners.start({ fun: String(fun), args, kwargs, user });
        if (client === 'runner_async') {
          started.done.catch((e: Error) => this.ctx.logger.error(`runner ${String(fun)} failed: ${e.message}`));
          return { tag: started.tag, jid: started.jid };
        }
        return (await started.done).ret;
      }
      case 'wheel':
        return this.wheel.run(String(fun), chunk, user);
      case 'wheel_async': {
        const { tag, data } = this.wheel.run(String(fun), chunk, user);
        return { tag, jid: data['jid'] };
      }
      default:
        // salt-ssh with an empty roster answers nothing.
        return {};
    }
  }

  private requireTgt(chunk: Record<string, unknown>): void {
    if (chunk['tgt'] === undefined || chunk['tgt'] === null || chunk['tgt'] === '') throw new SaltInvocationError('Missing tgt');
  }

  /** Eauth for a chunk: a live eauth token, or valid `username`/`password`/`eauth`. */
  private authenticate(chunk: Record<string, unknown>): EauthToken {
    const { auth } = this.ctx;
    if (typeof chunk['token'] === 'string') {
      const t = auth.getToken(chunk['token']);
      if (!t) throw new EauthError('Authentication failure of type "token" occurred.');
      return t;
    }
    if (auth.authenticate(chunk['username'], chunk['password'], chunk['eauth'])) {
      return { token: '', start: 0, expire: 0, name: String(chunk['username']), eauth: String(chunk['eauth']) };
    }
    throw new EauthError('Authentication failure of type "eauth" occurred.');
  }

  close(): void {
    this.keys.stop();
    this.ctx.clock.close();
  }
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}
