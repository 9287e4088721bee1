import { Minion } from '../fleet/fleet';
import { pyFloat } from '../util/pyjson';
import { Rng } from '../util/rng';
import { jidToTime, timeOfDay } from '../util/time';
import { FILE_SETTINGS, highstateFor, StateSpec, statesForMods } from './state-catalog';
import { ExecResult } from './types';

export type StateMode = 'ok' | 'changes' | 'fail' | 'pillar' | 'compile';

export interface StateRun {
  fun: string;
  /** null = highstate (top file). */
  mods: string[] | null;
  test: boolean;
  startUs: number;
  /** Forces the outcome (tests, load mode); otherwise drawn from the minion's luck. */
  mode?: StateMode;
}

/** `_gen_tag`: `<module>_|-<id>_|-<name>_|-<function>`. */
export const stateKey = (s: StateSpec): string => `${s.kind}_|-${s.id}_|-${s.name}_|-${s.fun}`;

const TEST_NOTE = '\nNote: No changes made, actual changes may\nbe different due to other states.';

function drawMode(rng: Rng, test: boolean): StateMode {
  if (test) return rng.weighted<StateMode>([['ok', 60], ['changes', 40]]);
  return rng.weighted<StateMode>([
    ['ok', 78],
    ['changes', 15],
    ['fail', 5],
    ['pillar', 1],
    ['compile', 1],
  ]);
}

function fileDiff(path: string, rng: Rng, host: string): string {
  const settings = FILE_SETTINGS[path];
  if (!settings || path === '/etc/motd') {
    return `--- \n+++ \n@@ -1,3 +1,3 @@\n # managed by Salt — do not edit\n-Welcome to ${host}\n+Welcome to ${host} (maintenance window: Sat 22:00-24:00 UTC)\n`;
  }
  const [key, oldV, newV] = rng.pick(settings);
  const line = rng.int(1, 40);
  return `--- \n+++ \n@@ -${line},3 +${line},3 @@\n # managed by Salt — do not edit\n-${key} ${oldV}\n+${key} ${newV}\n`;
}

interface Entry {
  key: string;
  spec: StateSpec;
  value: Record<string, unknown>;
  changed: boolean;
  failed: boolean;
}

/**
 * Simulates `state.apply` / `state.highstate` / `state.sls` on one minion: a state dict in the
 * shape `salt/state.py` builds (`_|-` keys, `__run_num__`, `start_time` in minion local time,
 * `duration` in ms), with routine successes, changes, test-mode "would change", failures with
 * requisite failures downstream, and the list-form errors (pillar, render) with their retcodes.
 */
export function runStates(minion: Minion, rng: Rng, run: StateRun): ExecResult {
  const mode = run.mode ?? drawMode(rng, run.test);
  const base = { out: 'highstate', compilesPillar: true };
  if (mode === 'pillar') {
    return {
      ...base,
      ret: ['Pillar failed to render with the following messages:', `Rendering SLS 'secrets.${minion.role}' failed. Please see master log for details.`],
      retcode: 5,
      runMs: rng.range(300, 900),
    };
  }
  const specs = run.mods ? statesForMods(minion.role, minion.os, run.mods) : highstateFor(minion.role, minion.os);
  if (run.mods && specs.length === 0) {
    return {
      ...base,
      ret: run.mods.map((m) => `No matching sls found for '${m}' in env 'base'`),
      retcode: 1,
      runMs: rng.range(200, 600),
    };
  }
  if (mode === 'compile') {
    const sls = rng.pick(specs).sls;
    return {
      ...base,
      ret: [`Rendering SLS 'base:${sls}' failed: Jinja variable 'dict object' has no attribute 'port'`],
      retcode: 1,
      runMs: rng.range(300, 900),
    };
  }

  const host = String(minion.grains['host']);
  const changeSet = new Set<string>();
  let failId: string | null = null;
  const changeable = specs.filter((s) => s.kind === 'file' || s.kind === 'pkg' || s.kind === 'user');
  if (mode === 'changes' && changeable.length) {
    changeSet.add(rng.pick(changeable).id);
    if (changeable.length > 2 && rng.chance(0.35)) changeSet.add(rng.pick(changeable).id);
  }
  if (mode === 'fail') {
    const failable = specs.filter((s) => s.kind === 'pkg' || s.kind === 'service' || s.kind === 'file');
    failId = (failable.length ? rng.pick(failable) : specs[0]).id;
  }

  let t = run.startUs + Math.floor(rng.range(150, 600) * 1000);
  const entries: Entry[] = [];
  const byId = new Map<string, Entry>();
  specs.forEach((spec, runNum) => {
    const start = timeOfDay(t, minion.utcOffsetMinutes);
    const dep = spec.require ? byId.get(spec.require) : undefined;
    const watched = spec.watch ? byId.get(spec.watch) : undefined;
    let entry: Entry;
    if ((dep && dep.failed) || (watched && watched.failed)) {
      const failedDep = (dep && dep.failed ? dep : watched) as Entry;
      // Requisite failures carry a fake near-zero duration and their own key order.
      const duration = pyFloat(rng.range(0.004, 0.012));
      entry = {
        key: stateKey(spec),
        spec,
        changed: false,
        failed: true,
        value: {
          changes: {},
          result: false,
          duration,
          start_time: start,
          comment: `One or more requisite failed: ${failedDep.spec.sls}.${failedDep.spec.id}`,
          __run_num__: runNum,
          __sls__: spec.sls,
          __id__: spec.id,
          name: spec.name,
        },
      };
      t += Math.floor(duration * 1000);
    } else {
      const o = outcome(spec, {
        rng,
        host,
        test: run.test,
        change: changeSet.has(spec.id) || !!(watched && watched.changed),
        fail: failId === spec.id,
        pkgManager: minion.os.pkg,
      });
      entry = {
        key: stateKey(spec),
        spec,
        changed: o.changed,
        failed: o.result === false,
        value: {
          name: spec.name,
          changes: o.changes,
          result: o.result,
          comment: o.comment,
          __sls__: spec.sls,
          __run_num__: runNum,
          start_time: start,
          duration: o.duration,
          __id__: spec.id,
        },
      };
      t += Math.floor(o.duration * 1000) + rng.int(200, 3000);
    }
    entries.push(entry);
    byId.set(spec.id, entry);
  });

  const ret: Record<string, unknown> = {};
  for (const e of entries) ret[e.key] = e.value;
  const failed = entries.some((e) => e.failed);
  return {
    ...base,
    ret,
    retcode: failed ? 2 : 0,
    runMs: (t - run.startUs) / 1000 + rng.range(80, 250),
  };
}

interface OutcomeInput {
  rng: Rng;
  host: string;
  test: boolean;
  change: boolean;
  fail: boolean;
  pkgManager: 'apt' | 'dnf';
}

interface Outcome {
  changes: Record<string, unknown>;
  result: boolean | null;
  comment: string;
  duration: number;
  changed: boolean;
}

function outcome(spec: StateSpec, o: OutcomeInput): Outcome {
  const { rng } = o;
  const ok = (comment: string, lo: number, hi: number): Outcome => ({ changes: {}, result: true, comment, duration: pyFloat(rng.range(lo, hi)), changed: false });
  switch (spec.kind) {
    case 'pkg': {
      const names = (spec.pkgs ?? []).map(([n]) => n);
      if (o.fail) {
        const comment =
          o.pkgManager === 'apt'
            ? `Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - Running scope as unit: run-r${rng.hex(6)}.scope\n      E: Unable to locate package ${names[0]}`
            : `Error occurred installing package(s). Additional info follows:\n\nerrors:\n    - Error: Unable to find a match: ${names[0]}`;
        return { changes: {}, result: false, comment, duration: pyFloat(rng.range(1500, 4200)), changed: false };
      }
      if (o.change) {
        if (o.test) return { changes: {}, result: null, comment: `The following packages would be installed/updated: ${names.join(', ')}`, duration: pyFloat(rng.range(200, 900)), changed: false };
        const changes: Record<string, unknown> = {};
        for (const [n, v] of spec.pkgs ?? []) changes[n] = { new: v, old: rng.chance(0.5) ? '' : v.replace(/(\d+)(?!.*\d)/, (d) => String(Math.max(0, Number(d) - 1))) };
        return { changes, result: true, comment: `The following packages were installed/updated: ${names.join(', ')}`, duration: pyFloat(rng.range(3000, 15000)), changed: true };
      }
      return ok('All specified packages are already installed', 200, 1600);
    }
    case 'file': {
      if (o.fail) return { changes: {}, result: false, comment: `Unable to manage file: Jinja variable 'dict object' has no attribute '${rng.pick(['port', 'workers', 'listen_addr'])}'`, duration: pyFloat(rng.range(20, 120)), changed: false };
      if (o.change) {
        const diff = fileDiff(spec.name, rng, o.host);
        if (o.test) return { changes: { diff }, result: null, comment: `The file ${spec.name} is set to be changed${TEST_NOTE}`, duration: pyFloat(rng.range(15, 70)), changed: false };
        return { changes: { diff }, result: true, comment: `File ${spec.name} updated`, duration: pyFloat(rng.range(20, 90)), changed: true };
      }
      return ok(`File ${spec.name} is in the correct state`, 2, 60);
    }
    case 'service': {
      if (o.fail) {
        return {
          changes: {},
          result: false,
          comment: `Job for ${spec.name}.service failed because the control process exited with error code.\nSee "systemctl status ${spec.name}.service" and "journalctl -xeu ${spec.name}.service" for details.`,
          duration: pyFloat(rng.range(900, 2200)),
          changed: false,
        };
      }
      if (o.change) {
        if (o.test) return { changes: {}, result: null, comment: 'Service is set to be restarted', duration: pyFloat(rng.range(10, 40)), changed: false };
        return { changes: { [spec.name]: true }, result: true, comment: 'Service restarted', duration: pyFloat(rng.range(200, 3000)), changed: true };
      }
      return ok(`The service ${spec.name} is already running`, 15, 60);
    }
    case 'user': {
      if (o.change && !o.test) {
        return { changes: { groups: [spec.name, 'docker'] }, result: true, comment: `Updated user ${spec.name}`, duration: pyFloat(rng.range(8, 40)), changed: true };
      }
      if (o.change) return { changes: {}, result: null, comment: `The following user attributes are set to be changed:\ngroups: ['${spec.name}', 'docker']\n`, duration: pyFloat(rng.range(2, 10)), changed: false };
      return ok(`User ${spec.name} is present and up to date`, 2, 12);
    }
    case 'cmd': {
      if (o.change && !o.test) {
        return {
          changes: { pid: rng.int(2000, 60000), retcode: 0, stdout: `Operations to perform:\n  Apply all migrations\nNo migrations to apply.`, stderr: '' },
          result: true,
          comment: `Command "${spec.name}" run`,
          duration: pyFloat(rng.range(800, 4000)),
          changed: true,
        };
      }
      if (o.change) return { changes: {}, result: null, comment: `Command "${spec.name}" would have been executed`, duration: pyFloat(rng.range(0.3, 1.2)), changed: false };
      return ok('State was not run because none of the onchanges reqs changed', 0.2, 1.1);
    }
  }
}

/** The return of a state call that collides with a state run already in progress (retcode 1). */
export function stateConflict(fun: string, pid: number, runningJid: string): ExecResult {
  return {
    ret: [`The function "${fun}" is running as PID ${pid} and was started at ${jidToTime(runningJid)} with jid ${runningJid}`],
    retcode: 1,
    out: 'highstate',
    runMs: 40,
  };
}
