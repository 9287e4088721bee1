import { Minion } from '../fleet/fleet';
import { resolveTarget, TargetError } from '../fleet/targeting';
import { conditionInput, funArgs } from '../exec/args';
import { execute, executeMulti } from '../exec/modules';
import { StateMode } from '../exec/states';
import { ExecResult } from '../exec/types';
import { nowMicros } from '../util/time';
import { MasterContext } from './context';
import { SaltInvocationError } from './errors';
import { MinionResult } from './job-cache';

export interface PublishRequest {
  tgt: unknown;
  tgtType?: string;
  fun: string | string[];
  arg?: unknown[];
  kwarg?: Record<string, unknown>;
  user: string;
  metadata?: Record<string, unknown>;
  /** Forces the outcome of state runs (life scenarios, tests). */
  stateMode?: StateMode;
}

export interface PubData {
  jid: string;
  minions: string[];
}

const SUB_EVENT = new Set(['state.highstate', 'state.sls']);

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Publishing jobs to minions, the minions running them, and collecting their returns. */
export class LocalJobs {
  constructor(private readonly m: MasterContext) {}

  /**
   * `LocalClient.run_job` → `ClearFuncs.publish`: resolve the target, cache the load, fire
   * `<jid>` and `salt/job/<jid>/new`, deliver to every targeted minion that is up. Returns null
   * when no minion matched (no events at all, as on a real master).
   */
  publish(req: PublishRequest): PubData | null {
    const { bus, cache, fleet, jids } = this.m;
    let resolved;
    try {
      resolved = resolveTarget(fleet, req.tgt, req.tgtType ?? 'glob');
    } catch (e) {
      if (e instanceof TargetError) throw new SaltInvocationError(e.message);
      throw e;
    }
    if (resolved.minions.length === 0) return null;
    const multi = Array.isArray(req.fun);
    const arg = multi ? (req.arg ?? []) : conditionInput(req.arg ?? [], req.kwarg);
    const jid = jids.next();
    cache.save(jid, { fun: req.fun, arg, tgt: resolved.tgt, tgt_type: resolved.tgtType, user: req.user, ...(req.metadata ? { metadata: req.metadata } : {}) }, resolved.minions);
    bus.fire(jid, { minions: [...resolved.minions] });
    bus.fire(`salt/job/${jid}/new`, {
      jid,
      tgt_type: resolved.tgtType,
      tgt: resolved.tgt,
      user: req.user,
      fun: req.fun,
      arg,
      minions: [...resolved.minions],
      missing: resolved.missing,
    });
    for (const id of resolved.minions) {
      const minion = fleet.minions.get(id);
      if (minion?.up) this.deliver(minion, jid, req, resolved.tgt, resolved.tgtType, arg);
    }
    return { jid, minions: resolved.minions };
  }

  private deliver(minion: Minion, jid: string, req: PublishRequest, tgt: unknown, tgtType: string, arg: unknown[]): void {
    const { clock, rng } = this.m;
    const mrng = rng.fork(minion.id);
    clock.after(mrng.range(4, 60), () => {
      if (!minion.up) return;
      const ctx = { minion, rng: mrng, jid, startUs: nowMicros(), kill: (j: string) => this.kill(minion, j) };
      const result = Array.isArray(req.fun)
        ? executeMulti(ctx, req.fun, arg as unknown[][])
        : execute(ctx, req.fun, arg, req.stateMode);
      if (result.compilesPillar) this.m.bus.fire(`minion/refresh/${minion.id}`, { 'Minion data cache refresh': minion.id });
      const pid = minion.nextPid();
      const job = { jid, pid, fun: req.fun, arg, tgt, tgt_type: tgtType, user: req.user, timer: null as NodeJS.Timeout | null };
      minion.running.set(jid, job);
      job.timer = clock.after(result.runMs, () => {
        minion.running.delete(jid);
        if (!minion.up) return;
        this.returnJob(minion, jid, req, arg, result);
      });
    });
  }

  /** `saltutil.kill_job`: the job's process dies and never returns. */
  private kill(minion: Minion, jid: string): number | null {
    const job = minion.running.get(jid);
    if (!job) return null;
    this.m.clock.cancel(job.timer);
    minion.running.delete(jid);
    return job.pid;
  }

  /** The minion's `_return_pub` and the master's `_return`: ret event, job cache, side events. */
  private returnJob(minion: Minion, jid: string, req: PublishRequest, arg: unknown[], result: ExecResult): void {
    const multi = Array.isArray(req.fun);
    const success = result.success ?? result.retcode === 0;
    const data: Record<string, unknown> = { cmd: '_return', id: minion.id };
    if (multi) {
      data['return'] = result.ret;
      data['retcode'] = result.retcode;
      data['success'] = success;
    } else {
      data['success'] = success;
      data['return'] = result.ret;
      data['retcode'] = result.retcode;
      if (result.out && result.outEarly) data['out'] = result.out;
    }
    data['jid'] = jid;
    data['fun'] = req.fun;
    data['fun_args'] = multi ? arg : funArgs(arg);
    data['user'] = req.user;
    if (req.metadata) data['metadata'] = req.metadata;
    if (result.out && !result.outEarly) data['out'] = result.out;
    this.m.bus.fire(`salt/job/${jid}/ret/${minion.id}`, data);
    this.fireRetLoad(data);
    const cached: MinionResult = { return: result.ret, retcode: result.retcode, success };
    if (result.out) cached.out = result.out;
    this.m.cache.addResult(jid, minion.id, cached);
  }

  /**
   * `SaltEvent.fire_ret_load`: for failing `state.sls`/`state.highstate`, every state entry gets
   * `retcode`, and each failed one fires `<module>.<function>` and then, re-using the same dict,
   * `salt/job/<jid>/sub/<minion>/error/<fun>`. Without `user` the second fire raises, which ends
   * the loop after the first dup event — as on pre-3006.3 minions.
   */
  fireRetLoad(load: Record<string, unknown>): void {
    const fun = load['fun'];
    const ret = load['return'];
    if (!load['retcode'] || typeof fun !== 'string' || !SUB_EVENT.has(fun) || !isDict(ret)) return;
    for (const [tag, entry] of Object.entries(ret)) {
      if (!isDict(entry)) continue;
      entry['retcode'] = load['retcode'];
      if (entry['result'] !== false) continue;
      const parts = tag.split('_|-');
      this.m.bus.fire(`${parts[0]}.${parts[parts.length - 1]}`, entry);
      if (load['user'] === undefined) return;
      entry['jid'] = load['jid'];
      entry['id'] = load['id'];
      entry['success'] = false;
      entry['return'] = `Error: ${parts[0]}.${parts[parts.length - 1]}`;
      entry['fun'] = fun;
      entry['user'] = load['user'];
      this.m.bus.fire(`salt/job/${load['jid']}/sub/${load['id']}/error/${fun}`, entry);
    }
  }

  /** Resolves once `done()` holds (checked on every return of `jid`) or after `simMs`. */
  private waitFor(jid: string, done: () => boolean, simMs: number, onResult?: (minion: string, r: MinionResult) => void): Promise<void> {
    return new Promise((resolve) => {
      if (done()) return resolve();
      let timer: NodeJS.Timeout | null = null;
      const off = this.m.cache.onResult(jid, (minion, r) => {
        onResult?.(minion, r);
        if (done()) finish();
      });
      const finish = (): void => {
        off();
        this.m.clock.cancel(timer);
        resolve();
      };
      timer = this.m.clock.after(simMs, finish);
    });
  }

  /**
   * `LocalClient.cmd`: publish, wait `timeout`, then poll stragglers with `saltutil.find_job`
   * every `gather_job_timeout` while any of them still reports the job running. Down minions
   * answer nothing, so the call gives up on them.
   */
  async runSync(req: PublishRequest, timeoutS?: number, gatherS?: number): Promise<{ pub: PubData | null; returns: Map<string, MinionResult> }> {
    const returns = new Map<string, MinionResult>();
    const pub = this.publish(req);
    if (!pub) return { pub, returns };
    const timeoutMs = (timeoutS ?? this.m.opts.timeout) * 1000;
    const gatherMs = (gatherS ?? this.m.opts.gatherJobTimeout) * 1000;
    const all = (): boolean => pub.minions.every((id) => returns.has(id));
    const collect = this.m.cache.onResult(pub.jid, (minion, r) => returns.set(minion, r));
    try {
      await this.waitFor(pub.jid, all, timeoutMs);
      while (!all() && !this.m.clock.isClosed) {
        const pending = pub.minions.filter((id) => !returns.has(id));
        const fj = this.publish({ tgt: pending, tgtType: 'list', fun: 'saltutil.find_job', arg: [pub.jid], user: req.user });
        let running = false;
        const off = fj
          ? this.m.cache.onResult(fj.jid, (_m, r) => {
              if (isDict(r.return) && Object.keys(r.return).length > 0) running = true;
            })
          : () => undefined;
        await this.waitFor(pub.jid, all, gatherMs);
        off();
        if (!running) break;
      }
    } finally {
      collect();
    }
    return { pub, returns };
  }

  /**
   * A minion's own scheduled job (`schedule:` in its config): no `new` event, the master mints
   * the jid and appends `arg`/`tgt_type`/`tgt`; `success` is always true, whatever the retcode.
   */
  runScheduled(minion: Minion, fun: string, scheduleName: string, stateMode?: StateMode): void {
    if (!minion.up) return;
    const { clock, rng } = this.m;
    const jid = this.m.jids.next();
    const mrng = rng.fork(minion.id);
    const ctx = { minion, rng: mrng, jid, startUs: nowMicros(), kill: (j: string) => this.kill(minion, j) };
    const result = execute(ctx, fun, [], stateMode);
    if (result.compilesPillar) this.m.bus.fire(`minion/refresh/${minion.id}`, { 'Minion data cache refresh': minion.id });
    const pid = minion.nextPid();
    clock.after(result.runMs, () => {
      if (!minion.up || !this.m.fleet.accepted.has(minion.id)) return;
      const data: Record<string, unknown> = {
        cmd: '_return',
        id: minion.id,
        fun,
        fun_args: [],
        schedule: scheduleName,
        jid,
        pid,
        return: result.ret,
        retcode: result.retcode,
        success: true,
        _stamp: '',
      };
      if (result.out) data['out'] = result.out;
      data['arg'] = [];
      data['tgt_type'] = 'glob';
      data['tgt'] = minion.id;
      this.m.cache.save(jid, { fun, arg: [], tgt: minion.id, tgt_type: 'glob' }, [minion.id]);
      this.m.bus.fire(`salt/job/${jid}/ret/${minion.id}`, data);
      this.fireRetLoad(data);
      const cached: MinionResult = { return: result.ret, retcode: result.retcode, success: true };
      if (result.out) cached.out = result.out;
      this.m.cache.addResult(jid, minion.id, cached);
    });
  }
}
