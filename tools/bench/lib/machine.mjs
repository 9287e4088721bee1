// What the numbers were measured on: cores, memory, load, disk fsync rate, versions, commit.
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { summarize } from './stats.mjs';
import { connect } from './pg.mjs';

function git(root, args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** pg_test_fsync's "write 8 kB + fdatasync" loop, for `ms` milliseconds, in the cluster's folder. */
export function diskFsyncRate(dir, ms = 1500) {
  const file = join(dir, `fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(8192, 7);
  const lat = [];
  const end = performance.now() + ms;
  try {
    while (performance.now() < end) {
      const t = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      lat.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  const s = summarize(lat);
  return { per_second: Math.round(lat.length / (ms / 1000)), p50_ms: s.p50, p99_ms: s.p99 };
}

/** Single-row INSERT commits in a loop (synchronous_commit on): what one durable commit costs. */
export async function pgCommitRate(url, ms = 1500) {
  const c = await connect(url);
  try {
    await c.query('CREATE TABLE IF NOT EXISTS bench_commit_probe (id serial PRIMARY KEY, at timestamptz DEFAULT now())');
    const lat = [];
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const t = performance.now();
      await c.query('INSERT INTO bench_commit_probe DEFAULT VALUES');
      lat.push(performance.now() - t);
    }
    await c.query('DROP TABLE bench_commit_probe');
    const s = summarize(lat);
    return { per_second: Math.round(lat.length / (ms / 1000)), p50_ms: s.p50, p99_ms: s.p99 };
  } finally {
    await c.end();
  }
}

export async function machineFacts(ctx) {
  const c = await connect(ctx.cluster.adminUrl);
  let pgVersion;
  const settings = {};
  try {
    pgVersion = (await c.query('SELECT version() AS v')).rows[0].v;
    const r = await c.query(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN
        ('fsync','synchronous_commit','full_page_writes','shared_buffers','wal_level','max_wal_size','checkpoint_timeout','work_mem','default_toast_compression')`,
    );
    for (const row of r.rows) {
      // `shared_buffers` comes as a count of 8kB pages: show it in MB like the other sizes.
      const pages = /^(\d+)kB$/.exec(row.unit ?? '');
      settings[row.name] = pages ? `${Math.round((Number(row.setting) * Number(pages[1])) / 1024)}MB` : row.unit ? `${row.setting}${row.unit}` : row.setting;
    }
  } finally {
    await c.end();
  }
  const cpu = cpus();
  let pkg = {};
  try {
    pkg = (await import('pg/package.json', { with: { type: 'json' } })).default;
  } catch {
    // version unknown
  }
  return {
    date: new Date().toISOString(),
    cores: cpu.length,
    cpu_model: cpu[0]?.model ?? null,
    memory_bytes: totalmem(),
    free_memory_bytes: freemem(),
    loadavg_start: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    postgres: pgVersion,
    pg_driver: pkg.version ?? null,
    pg_settings: settings,
    git_commit: git(ctx.root, ['rev-parse', 'HEAD']),
    git_dirty: (git(ctx.root, ['status', '--porcelain', '--untracked-files=no']) ?? '').length > 0,
    disk_fsync: diskFsyncRate(ctx.work),
    pg_commit: await pgCommitRate(ctx.cluster.adminUrl),
  };
}
