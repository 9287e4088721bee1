import { parseArgs } from '../exec/args';
import { MasterContext } from './context';
import { LocalJobs } from './local';
import { resolveTarget, TargetError } from '../fleet/targeting';

export interface RunnerCall {
  fun: string;
  /** Positional args and kwargs after `_reformat_low`. */
  args: unknown[];
  kwargs: Record<string, unknown>;
  user: string;
}

interface RunnerOutcome {
  ret: unknown;
  success: boolean;
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `RunnerClient._reformat_low`: everything but the client's own keys becomes a kwarg; `arg`
 * and `kwarg` are merged in. Credentials never reach the function.
 */
export function reformatLow(low: Record<string, unknown>): { args: unknown[]; kwargs: Record<string, unknown> } {
  const skip = new Set(['client', 'fun', 'token', 'username', 'password', 'eauth', 'user', 'key', 'arg', 'kwarg', 'timeout', 'full_return', 'print_event']);
  const rawArg = Array.isArray(low['arg']) ? (low['arg'] as unknown[]) : low['arg'] !== undefined ? [low['arg']] : [];
  const { args, kwargs } = parseArgs(rawArg);
  if (isDict(low['kwarg'])) Object.assign(kwargs, low['kwarg']);
  for (const [k, v] of Object.entries(low)) if (!skip.has(k)) kwargs[k] = v;
  return { args, kwargs };
}

/** Runner jobs: `salt/run/<jid>/new`, the function, `salt/run/<jid>/ret`, and the job cache entry. */
export class Runners {
  constructor(
    private readonly m: MasterContext,
    private readonly local: LocalJobs,
  ) {}

  /** Starts a runner job. `done` resolves with its return once `ret` has been fired. */
  start(call: RunnerCall): { jid: string; tag: string; done: Promise<RunnerOutcome> } {
    const jid = this.m.jids.next();
    const data: Record<string, unknown> = {
      fun: `runner.${call.fun}`,
      jid,
      user: call.user,
      fun_args: [...call.args, ...(Object.keys(call.kwargs).length ? [call.kwargs] : [])],
    };
    this.m.bus.fire(`salt/run/${jid}/new`, data);
    const rng = this.m.rng.fork('run');
    const done = (async (): Promise<RunnerOutcome> => {
      // A runner is a fresh process on the master: a few hundred ms before it does anything.
      await this.m.clock.sleep(rng.range(60, 250));
      let outcome: RunnerOutcome;
      try {
        outcome = await this.execute(call, jid);
      } catch (e) {
        outcome = { ret: `Exception occurred in runner ${call.fun}: ${(e as Error).message}`, success: false };
      }
      data['return'] = outcome.ret;
      data['success'] = outcome.success;
      this.m.bus.fire(`salt/run/${jid}/ret`, data);
      // `store_job` with the master as the only "minion" (runner_returns: True).
      const load = { fun: data['fun'] as string, user: call.user, tgt: this.m.masterId };
      this.m.cache.save(jid, load);
      this.m.cache.addResult(jid, this.m.masterId, { return: { ...data } });
      return outcome;
    })();
    return { jid, tag: `salt/run/${jid}`, done };
  }

  private async execute(call: RunnerCall, jid: string): Promise<RunnerOutcome> {
    const { cache, fleet } = this.m;
    const a = call.args;
    const k = call.kwargs;
    const arg0 = (name: string): string => String(k[name] ?? a[0] ?? '');
    switch (call.fun) {
      case 'jobs.list_jobs':
        return {
          ret: cache.listJobs({ fun: k['search_function'] as string | undefined, target: k['search_target'] as string | undefined }),
          success: true,
        };
      case 'jobs.list_job':
        return { ret: cache.listJob(arg0('jid')), success: true };
      case 'jobs.lookup_jid':
        return { ret: cache.lookupJid(arg0('jid')), success: true };
      case 'jobs.print_job': {
        const id = arg0('jid');
        return { ret: { [id]: cache.listJob(id) }, success: true };
      }
      case 'jobs.active':
        return { ret: this.active(), success: true };
      case 'manage.status':
      case 'manage.up':
      case 'manage.down': {
        const { returns } = await this.local.runSync({ tgt: '*', fun: 'test.ping', user: this.m.masterUser });
        const up = fleet.acceptedIds().filter((id) => returns.has(id));
        const down = fleet.acceptedIds().filter((id) => !returns.has(id));
        const ret = call.fun === 'manage.status' ? { up, down } : call.fun === 'manage.up' ? up : down;
        return { ret, success: true };
      }
      case 'manage.present':
        return { ret: fleet.upMinions().map((m) => m.id), success: true };
      case 'cache.grains': {
        // The minion data cache: grains of every accepted minion the target matches, up or not.
        try {
          const tgt = String(k['tgt'] ?? a[0] ?? '*');
          const { minions } = resolveTarget(fleet, tgt, String(k['tgt_type'] ?? a[1] ?? 'glob'));
          const ret: Record<string, unknown> = {};
          for (const id of minions) {
            const grains = fleet.minions.get(id)?.grains;
            if (grains) ret[id] = grains;
          }
          return { ret, success: true };
        } catch (err) {
          if (err instanceof TargetError) return { ret: err.message, success: false };
          throw err;
        }
      }
      case 'test.sleep':
        await this.m.clock.sleep(Number(a[0] ?? k['s_time'] ?? 5) * 1000);
        return { ret: true, success: true };
      case 'test.arg':
        return { ret: { args: a, kwargs: k }, success: true };
      case 'test.stdout_print':
        return { ret: true, success: true };
      case 'state.orchestrate':
      case 'state.orch':
        return this.orchestrate(jid, String(k['mods'] ?? a[0] ?? 'orch'));
      case 'auth.mk_token': {
        const t = this.m.auth.mkToken(String(k['username']), String(k['eauth']));
        return { ret: { start: t.start, token: t.token, expire: t.expire, name: t.name, eauth: t.eauth }, success: true };
      }
      default:
        return { ret: `'${call.fun}' is not available.`, success: false };
    }
  }

  /** `jobs.active`: jobs some minion is still running. */
  private active(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const minion of this.m.fleet.minions.values()) {
      for (const job of minion.running.values()) {
        const cached = this.m.cache.get(job.jid);
        const entry = (out[job.jid] ??= {
          ...this.m.cache.formatJobInstance(cached, job.jid, false),
          Running: [],
          Returned: cached ? [...cached.results.keys()] : [],
        }) as { Running: Array<Record<string, number>> };
        entry.Running.push({ [minion.id]: job.pid });
      }
    }
    return out;
  }

  /** One orchestration step: a `salt.state` on the web tier, reported the way the orchestrate runner nests it. */
  private async orchestrate(jid: string, mods: string): Promise<RunnerOutcome> {
    const startUs = Date.now();
    const step = { tgt: 'web*', sls: 'nginx', name: 'deploy_web' };
    this.m.bus.fire(`salt/run/${jid}/args`, {
      type: 'state',
      tgt: step.tgt,
      name: step.name,
      args: { arg: [step.sls], kwarg: { queue: false }, ret: '', timeout: null, tgt_type: 'glob', ssh: false, expect_minions: true },
    });
    const { pub, returns } = await this.local.runSync({ tgt: step.tgt, fun: 'state.sls', arg: [step.sls], kwarg: { queue: false }, user: this.m.masterUser });
    const nested: Record<string, unknown> = {};
    let ok = pub !== null;
    for (const [minion, r] of returns) {
      nested[minion] = r.return;
      if (r.retcode !== 0) ok = false;
    }
    const durationMs = Date.now() - startUs;
    const t = new Date();
    const stepKey = `salt_|-${step.name}_|-${step.name}_|-state`;
    const ret = {
      data: {
        [this.m.masterId]: {
          [stepKey]: {
            name: step.name,
            changes: { ret: nested, out: 'highstate' },
            result: ok,
            comment: ok ? `States ran successfully. Updating ${[...returns.keys()].join(', ')}.` : `Run failed on minions: ${[...returns.keys()].join(', ') || 'none'}`,
            __sls__: mods,
            __run_num__: 0,
            start_time: `${t.toISOString().slice(11, 23)}000`,
            duration: `${(durationMs + 0.404).toFixed(3)} ms`,
            __id__: step.name,
            __jid__: pub?.jid ?? '',
          },
        },
      },
      outputter: 'highstate',
      retcode: ok ? 0 : 1,
    };
    return { ret, success: ok };
  }
}
