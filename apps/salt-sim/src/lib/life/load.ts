import { Minion } from '../fleet/fleet';
import { MasterContext } from '../master/context';
import { MinionResult } from '../master/job-cache';
import { pyDumps, pyFloat } from '../util/pyjson';
import { Rng } from '../util/rng';
import { saltStamp, timeOfDay } from '../util/time';

/** One pre-serialised state return of a given size class. */
interface Template {
  json: string;
  value: Record<string, unknown>;
  retcode: number;
  success: boolean;
}

const SIZE_CLASSES: ReadonlyArray<readonly [number, number]> = [
  [2 * 1024, 70],
  [20 * 1024, 25],
  [200 * 1024, 5],
];
const VARIANTS = 6;
/** Bytes of a ret event around its `return` value (ids, jid, stamp, tag). */
const ENVELOPE = 330;

export interface LoadCounters {
  rate: number;
  emitted: number;
  returns: number;
  /** `salt/job/<jid>/new` events fired. */
  jobs: number;
  bytes: number;
  burstRemaining: number | null;
}

interface Job {
  jid: string;
  minions: Minion[];
  minionsJson: string;
  step: number;
}

/**
 * Load mode: job traffic at a fixed number of events per second — for each job the bare
 * `<jid>`, `salt/job/<jid>/new` and one state return per connected minion, sized 70 % ~2 KB,
 * 25 % ~20 KB, 5 % ~200 KB, each with a real `_stamp`. Returns are built from serialised
 * templates so the generator itself stays cheap; the jobs land in the job cache like any other.
 */
export class LoadGenerator {
  private templates: Template[][] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = 0;
  private sentSinceStart = 0;
  private job: Job | null = null;
  private burst: { events: number | null; returns: number | null; after: number } | null = null;
  private readonly rng: Rng;
  readonly counters: LoadCounters = { rate: 0, emitted: 0, returns: 0, jobs: 0, bytes: 0, burstRemaining: null };

  constructor(private readonly m: MasterContext) {
    this.rng = m.rng.fork('load');
  }

  /** Sets the rate in events per second; 0 stops. */
  setRate(rate: number): void {
    this.counters.rate = rate;
    this.started = performance.now();
    this.sentSinceStart = 0;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (rate > 0) {
      this.templates ??= this.buildTemplates();
      this.timer = setInterval(() => this.tick(), 10);
    }
  }

  /** Emits exactly `events` events (or `returns` returns) at `rate`, then goes back to the previous rate. */
  startBurst(rate: number, events: number | null, returns: number | null): void {
    this.burst = { events: events === null ? null : this.counters.emitted + events, returns: returns === null ? null : this.counters.returns + returns, after: this.counters.rate };
    this.counters.burstRemaining = events ?? returns;
    this.setRate(rate);
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.started) / 1000) * this.counters.rate);
    // After a stall, catch up at most a tenth of a second's worth at once.
    let n = Math.min(due - this.sentSinceStart, Math.max(1, Math.ceil(this.counters.rate / 10)));
    while (n-- > 0) {
      if (this.burstDone()) return;
      this.emitOne();
      this.sentSinceStart++;
    }
  }

  private burstDone(): boolean {
    const b = this.burst;
    if (!b) return false;
    const left = b.events !== null ? b.events - this.counters.emitted : (b.returns as number) - this.counters.returns;
    this.counters.burstRemaining = Math.max(0, left);
    if (left > 0) return false;
    this.burst = null;
    this.setRate(b.after);
    return true;
  }

  private emitOne(): void {
    const { bus, jids, fleet, cache } = this.m;
    if (!this.job) {
      const minions = fleet.upMinions();
      if (minions.length === 0) return;
      const ids = minions.map((x) => x.id);
      const jid = jids.next();
      this.job = { jid, minions, minionsJson: pyDumps(ids), step: 0 };
      cache.save(jid, { fun: 'state.apply', arg: [], tgt: '*', tgt_type: 'glob', user: this.m.opts.user }, ids);
    }
    const job = this.job;
    const stamp = saltStamp();
    let tag: string;
    let json: string;
    if (job.step === 0) {
      tag = job.jid;
      json = `{"data": {"minions": ${job.minionsJson}, "_stamp": "${stamp}"}, "tag": "${tag}"}`;
    } else if (job.step === 1) {
      tag = `salt/job/${job.jid}/new`;
      this.counters.jobs++; // counted when its `new` event fires: a load stopped before it sent none
      json =
        `{"data": {"jid": "${job.jid}", "tgt_type": "glob", "tgt": "*", "user": ${pyDumps(this.m.opts.user)}, "fun": "state.apply", "arg": [], ` +
        `"minions": ${job.minionsJson}, "missing": [], "_stamp": "${stamp}"}, "tag": "${tag}"}`;
    } else {
      const minion = job.minions[job.step - 2];
      const t = this.pickTemplate();
      tag = `salt/job/${job.jid}/ret/${minion.id}`;
      json =
        `{"data": {"cmd": "_return", "id": "${minion.id}", "success": ${t.success}, "return": ${t.json}, "retcode": ${t.retcode}, ` +
        `"jid": "${job.jid}", "fun": "state.apply", "fun_args": [], "user": ${pyDumps(this.m.opts.user)}, "out": "highstate", "_stamp": "${stamp}"}, "tag": "${tag}"}`;
      const result: MinionResult = { return: t.value, retcode: t.retcode, success: t.success, out: 'highstate' };
      cache.addResult(job.jid, minion.id, result);
      this.counters.returns++;
    }
    bus.fireSerialized(tag, json);
    this.counters.emitted++;
    this.counters.bytes += Buffer.byteLength(json) + Buffer.byteLength(tag) + 13;
    job.step++;
    if (job.step >= job.minions.length + 2) this.job = null;
  }

  private pickTemplate(): Template {
    const templates = this.templates as Template[][];
    const cls = this.rng.weighted(SIZE_CLASSES.map(([, w], i) => [i, w] as const));
    return this.rng.pick(templates[cls]);
  }

  private buildTemplates(): Template[][] {
    return SIZE_CLASSES.map(([bytes]) => Array.from({ length: VARIANTS }, (_, v) => buildTemplate(bytes, this.rng.fork(`t${bytes}:${v}`), v)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** A state return whose ret event serialises to about `bytes` bytes. */
function buildTemplate(bytes: number, rng: Rng, variant: number): Template {
  const target = bytes - ENVELOPE;
  const failed = variant === VARIANTS - 1;
  const changed = variant === VARIANTS - 2;
  const value: Record<string, Record<string, unknown>> = {};
  const us = Date.UTC(2024, 4, 14, 10, 0, 0) * 1000;
  const pkgs = ['nginx', 'curl', 'htop', 'jq', 'chrony', 'openssl', 'ca-certificates', 'rsync', 'git', 'vim'];
  const maxEntries = bytes > 10_000 ? 12 : 60;
  for (let i = 0; i < maxEntries; i++) {
    const base = pkgs[i % pkgs.length];
    const pkg = `${base}${i >= pkgs.length ? `-${i}` : ''}`;
    const file = `/etc/app/conf.d/${String(i).padStart(3, '0')}-${base}.conf`;
    const isFile = i % 2 === 1;
    const key = isFile ? `file_|-${file}_|-${file}_|-managed` : `pkg_|-${pkg}_|-${pkg}_|-installed`;
    const fail = failed && i === 0;
    const entry: Record<string, unknown> = {
      name: isFile ? file : pkg,
      changes: changed && i === 1 ? { diff: '--- \n+++ \n@@ -1,2 +1,2 @@\n-workers 4\n+workers 8\n' } : {},
      result: !fail,
      comment: fail ? `Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - E: Unable to locate package ${pkg}` : isFile ? `File ${file} is in the correct state` : 'All specified packages are already installed',
      __sls__: isFile ? 'app.config' : 'common.packages',
      __run_num__: i,
      start_time: timeOfDay(us + i * 40_000, 0),
      duration: pyFloat(rng.range(2, 900)),
      __id__: isFile ? file : pkg,
    };
    if (i > 0 && pyDumps({ ...value, [key]: entry }).length > target) break;
    value[key] = entry;
  }
  // Big returns carry their bulk the way real ones do: in a file diff.
  const fileEntry = Object.values(value).find((e) => String(e['name']).startsWith('/etc/'));
  let room = target - pyDumps(value).length;
  if (room > 2000 && fileEntry) {
    const lines: string[] = [];
    let len = 60;
    while (len < room - 60) {
      const l = `+setting_${lines.length} = ${rng.hex(24)}`;
      lines.push(l);
      len += l.length + 2;
    }
    fileEntry['changes'] = { diff: `--- \n+++ \n@@ -1,0 +1,${lines.length} @@\n${lines.join('\n')}\n` };
    room = target - pyDumps(value).length;
  }
  const first = Object.values(value)[0];
  if (room > 1) first['comment'] = `${String(first['comment'])} ${'.'.repeat(room - 1)}`;
  return { json: pyDumps(value), value, retcode: failed ? 2 : 0, success: !failed };
}
