#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only B1,B4] [-- --rows 1000000] [-- --build] [-- --keep]`
// The benchmark suite (issue 9): the hot paths against baselines measured in the same run, on
// an embedded PostgreSQL, loopback only. Prints a table and writes bench-results.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startCluster } from './lib/pg.mjs';
import { machineFacts } from './lib/machine.mjs';
import { snapshotDist, startApi } from './lib/procs.mjs';
import { formatMachine, formatTable, row, writeResults } from './lib/report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// B4 loads the feed tables that B5, B2 and B6 reuse (B6 last among them: it drops days).
const ORDER = ['B1', 'B4', 'B11', 'B5', 'B2', 'B6', 'B3', 'B7', 'B8', 'B9', 'B10'];
const MODULES = {
  B1: './b1-ingest.mjs',
  B2: './b2-burst.mjs',
  B3: './b3-audit.mjs',
  B4: './b4-feed.mjs',
  B5: './b5-feed-under-ingest.mjs',
  B6: './b6-retention.mjs',
  B7: './b7-fanout.mjs',
  B8: './b8-replicas.mjs',
  B9: './b9-end-to-end.mjs',
  B10: './b10-resilience.mjs',
  B11: './b11-export.mjs',
};
function parseArgs(argv) {
  const o = { quick: false, only: null, rows: null, build: false, keep: false, out: join(ROOT, 'bench-results.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--build') o.build = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--only') o.only = argv[++i].split(',').map((s) => s.trim().toUpperCase());
    else if (a.startsWith('--only=')) o.only = a.slice(7).split(',').map((s) => s.trim().toUpperCase());
    else if (a === '--rows') o.rows = Number(argv[++i]);
    else if (a === '--out') o.out = resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'npm run bench [-- --quick] [--only B1,B4] [--rows N] [--build] [--keep] [--out file]\n' +
          '  --quick   smoke run (< 10 min, smaller data, fewer rounds; never fails on speed)\n' +
          '  --only    run these benchmarks (B1 … B11)\n' +
          '  --rows    activity rows for B4/B5/B6 (default 1M quick, 10M full)\n' +
          '  --build   build api and salt-sim first\n' +
          '  --keep    keep the work folder (tmp/bench-*) with the database\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const selected = ORDER.filter((id) => !opts.only || opts.only.includes(id));
  if (opts.build) {
    log('building api and salt-sim');
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'salt-sim', '--output-style=static'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
  }
  const work = join(ROOT, 'tmp', `bench-${Date.now().toString(36)}`);
  mkdirSync(work, { recursive: true });
  const ctx = {
    root: ROOT,
    work,
    quick: opts.quick,
    rows: opts.rows ?? (opts.quick ? 1_000_000 : 10_000_000),
    log,
    bin: snapshotDist(ROOT, join(work, 'dist')),
    shared: {},
    cleanups: [],
  };
  const stopAll = async () => {
    for (const fn of ctx.cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      interrupted = true;
      log(`${sig}: stopping`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  const started = Date.now();
  const rows = [];
  const results = {};
  const errors = {};
  try {
    log(`work folder ${work}; starting embedded PostgreSQL`);
    ctx.cluster = await startCluster(join(work, 'pg'));
    ctx.cleanups.push(() => ctx.cluster.stop());
    ctx.machine = await machineFacts(ctx);
    log(formatMachine(ctx.machine).replace(/\n/g, '\n  '));

    // One migrated database (the api migrates on start, and creates the bootstrap admin) that
    // every benchmark copies: CREATE DATABASE … TEMPLATE is a file copy.
    await createDatabase(ctx.cluster, 'bench_tmpl');
    const api = await startApi(ctx, { databaseUrl: ctx.cluster.url('bench_tmpl'), label: 'migrate' });
    await api.stop();
    ctx.template = 'bench_tmpl';
    ctx.newDatabase = (name) => createDatabase(ctx.cluster, name, ctx.template);

    for (const id of selected) {
      if (interrupted) break;
      const t0 = Date.now();
      ctx.local = [];
      log(`${id}: start`);
      try {
        const mod = await import(MODULES[id]);
        const r = await mod.run(ctx);
        results[id] = r;
        rows.push(...r.rows);
        log(`${id}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      } catch (err) {
        errors[id] = err instanceof Error ? err.stack : String(err);
        rows.push(row(id, 'failed to run', { measured: String(err instanceof Error ? err.message : err).split('\n')[0] }));
        log(`${id}: FAILED: ${errors[id]}`);
      } finally {
        // Whatever a benchmark left running is stopped before the next one measures anything.
        for (const fn of (ctx.local ?? []).splice(0).reverse()) await fn().catch(() => undefined);
      }
    }
  } finally {
    await stopAll();
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
  }
  if (ctx.machine) ctx.machine.loadavg_end = loadavg().map((x) => Math.round(x * 100) / 100);

  const doc = {
    suite: 'sylvite-bench',
    mode: opts.quick ? 'quick' : 'full',
    started_at: new Date(started).toISOString(),
    duration_s: Math.round((Date.now() - started) / 1000),
    machine: ctx.machine ?? null,
    rows,
    results,
    errors,
  };
  writeResults(opts.out, doc);
  process.stdout.write('\n' + (ctx.machine ? formatMachine(ctx.machine) + '\n\n' : '') + formatTable(rows) + '\n');
  process.stdout.write(`\n${opts.quick ? 'quick run: speed goals are informational. ' : ''}results: ${opts.out} (${doc.duration_s} s)\n`);
  // A quick run proves the suite works: it fails only when a benchmark could not run at all.
  process.exit(Object.keys(errors).length ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
