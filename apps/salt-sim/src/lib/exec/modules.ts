import { pillarOf } from '../fleet/targeting';
import { parseArgs, truthy } from './args';
import { cmdRunOutput, runCommand } from './cmd';
import { runStates, stateConflict, StateMode } from './states';
import { ExecContext, ExecResult } from './types';

const STATE_FUNS = new Set(['state.apply', 'state.highstate', 'state.sls', 'state.test']);

const value = (ret: unknown, runMs: number, out?: string): ExecResult => ({ ret, retcode: 0, runMs, out });

function modsOf(v: unknown): string[] | null {
  if (v === undefined || v === null || v === '') return null;
  if (Array.isArray(v)) return v.map(String);
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The proc data `saltutil.find_job` and `saltutil.running` report for a running job. */
function procData(ctx: ExecContext, jid: string): Record<string, unknown> | null {
  const job = ctx.minion.running.get(jid);
  if (!job) return null;
  return {
    tgt_type: job.tgt_type,
    jid: job.jid,
    tgt: job.tgt,
    ret: '',
    user: job.user ?? 'root',
    arg: job.arg,
    fun: job.fun,
    pid: job.pid,
  };
}

/**
 * Runs one execution-module function on a simulated minion. Unknown functions answer like a
 * real minion does: "'x.y' is not available.", retcode 1, outputter `nested`.
 */
export function execute(ctx: ExecContext, fun: string, arg: unknown[], forcedStateMode?: StateMode): ExecResult {
  const { rng, minion } = ctx;
  const { args, kwargs } = parseArgs(arg);
  const fast = (): number => rng.range(15, 250);

  if (STATE_FUNS.has(fun)) {
    const other = [...minion.running.values()].find((j) => j.jid !== ctx.jid && typeof j.fun === 'string' && STATE_FUNS.has(j.fun));
    if (other) return stateConflict(String(other.fun), other.pid, other.jid);
    const mods = fun === 'state.highstate' ? null : modsOf(args[0] ?? kwargs['mods']);
    return runStates(minion, rng, { fun, mods, test: fun === 'state.test' || truthy(kwargs['test']), startUs: ctx.startUs, mode: forcedStateMode });
  }

  switch (fun) {
    case 'test.ping':
      return value(true, fast());
    case 'test.version':
      return value(String(minion.grains['saltversion']), fast());
    case 'test.echo':
      return value(String(args[0] ?? ''), fast());
    case 'test.true':
      return value(true, fast());
    case 'test.false':
      return { ret: false, retcode: 1, runMs: fast() };
    case 'test.sleep':
      return value(true, Number(args[0] ?? kwargs['length'] ?? 1) * 1000 + 10);
    case 'test.arg':
      return value({ args, kwargs }, fast());
    case 'test.kwarg':
      return value(kwargs, fast());
    case 'test.retcode': {
      const code = Number(args[0] ?? kwargs['code'] ?? 0);
      return { ret: true, retcode: code, runMs: fast() };
    }
    case 'test.exception':
      return { ret: `An exception occurred in this function: ${String(args[0] ?? 'user message')}`, retcode: 1, runMs: fast(), out: 'nested', outEarly: true, success: false };
    case 'cmd.run':
    case 'cmd.shell': {
      const o = runCommand(minion, rng, String(args[0] ?? kwargs['cmd'] ?? ''));
      return { ret: cmdRunOutput(o), retcode: o.retcode, runMs: o.runMs };
    }
    case 'cmd.run_all': {
      const o = runCommand(minion, rng, String(args[0] ?? kwargs['cmd'] ?? ''));
      return { ret: { pid: minion.nextPid(), retcode: o.retcode, stdout: o.stdout, stderr: o.stderr }, retcode: o.retcode, runMs: o.runMs };
    }
    case 'cmd.retcode': {
      const o = runCommand(minion, rng, String(args[0] ?? kwargs['cmd'] ?? ''));
      return { ret: o.retcode, retcode: o.retcode, runMs: o.runMs };
    }
    case 'grains.items':
      return value(minion.grains, fast(), 'nested');
    case 'grains.item': {
      const out: Record<string, unknown> = {};
      for (const k of args.map(String)) out[k] = minion.grains[k] ?? '';
      return value(out, fast(), 'nested');
    }
    case 'grains.get':
      return value(minion.grains[String(args[0] ?? '')] ?? '', fast());
    case 'grains.ls':
      return value(Object.keys(minion.grains), fast());
    case 'pillar.items':
      return { ...value(pillarOf(minion.grains), rng.range(200, 900)), compilesPillar: true };
    case 'pillar.get':
      return value(pillarOf(minion.grains)[String(args[0] ?? '')] ?? '', fast());
    case 'saltutil.find_job':
      return value(procData(ctx, String(args[0] ?? '')) ?? {}, rng.range(10, 80));
    case 'saltutil.running':
      return value(
        [...minion.running.keys()].filter((j) => j !== ctx.jid).map((j) => procData(ctx, j)),
        rng.range(10, 80),
      );
    case 'saltutil.kill_job':
    case 'saltutil.term_job':
    case 'saltutil.signal_job': {
      const jid = String(args[0] ?? '');
      const sig = fun === 'saltutil.kill_job' ? 9 : fun === 'saltutil.term_job' ? 15 : Number(args[1] ?? 15);
      const pid = ctx.kill(jid);
      return value(pid === null ? '' : `Signal ${sig} sent to job ${jid} at pid ${pid}`, rng.range(10, 60));
    }
    case 'saltutil.sync_all':
      return value(
        { clouds: [], beacons: [], modules: [], states: [], sdb: [], grains: [], renderers: [], returners: [], output: [], utils: [], log_handlers: [], executors: [], proxymodules: [], engines: [], thorium: [], serializers: [], matchers: [] },
        rng.range(400, 1500),
      );
    case 'saltutil.refresh_pillar':
      return { ...value(true, rng.range(100, 500)), compilesPillar: true };
    case 'service.status':
      return value(rng.chance(0.95), fast());
    case 'service.start':
    case 'service.stop':
    case 'service.restart':
    case 'service.reload':
      return value(true, rng.range(200, 2500));
    case 'pkg.version':
      return value(rng.chance(0.8) ? '1.22.1-9' : '', rng.range(100, 600));
    case 'pkg.list_upgrades':
      return value(rng.chance(0.6) ? {} : { openssl: '3.0.13-1~deb12u1', 'libssl3': '3.0.13-1~deb12u1' }, rng.range(1500, 6000));
    case 'network.ip_addrs':
      return value((minion.grains['ipv4'] as string[]).filter((ip) => ip !== '127.0.0.1'), fast());
    case 'status.uptime':
      return value({ days: rng.int(1, 200), seconds: rng.int(100000, 9000000), since_iso: new Date(Date.now() - 3600_000 * 24 * 40).toISOString(), time: '3:02', users: 0 }, fast());
    case 'sys.list_functions':
      return value(['cmd.run', 'cmd.run_all', 'grains.item', 'grains.items', 'state.apply', 'state.highstate', 'state.sls', 'test.ping', 'test.version'], fast());
    default:
      return { ret: `'${fun}' is not available.`, retcode: 1, runMs: rng.range(10, 40), out: 'nested', outEarly: true, success: false };
  }
}

/** Multi-function jobs: `fun` and `arg` are parallel arrays; returns and retcodes are keyed by function. */
export function executeMulti(ctx: ExecContext, funs: string[], args: unknown[][]): ExecResult {
  const ret: Record<string, unknown> = {};
  const retcode: Record<string, number | null> = {};
  const success: Record<string, boolean> = {};
  let runMs = 0;
  funs.forEach((f, i) => {
    const r = execute(ctx, f, args[i] ?? []);
    ret[f] = r.ret;
    const rc = typeof r.retcode === 'number' ? r.retcode : 0;
    retcode[f] = rc;
    success[f] = rc === 0;
    runMs += r.runMs;
  });
  return { ret, retcode, success, runMs };
}
