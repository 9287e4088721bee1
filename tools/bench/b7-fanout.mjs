// B7 — SSE fan-out: N clients in a separate process × R events/s through the api's
// /api/activity/stream (rows inserted with one NOTIFY per batch, as the ingest writer commits them),
// against a bare node:http broadcaster with the same clients and frames, alternating rounds.
// Deliveries/s, latency from the stamp in each frame, and server memory per connection: both
// servers run with lib/gc-probe.cjs and are read after a full collection before and after
// connecting — heap used, and RSS less the V8 heap left empty (see `held`) — next to the plain RSS
// step, which also counts the garbage of the connect burst and the young generation it grew.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from './lib/http.mjs';
import { connect, sleep } from './lib/pg.mjs';
import { ADMIN, rssOf, startApi } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtBytes, fmtNum, median, ratioOf } from './lib/stats.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PER_USER = 1000;
const USER_PASSWORD = 'bench-stream-password-1';
const GC_PROBE = join(HERE, 'lib', 'gc-probe.cjs');

/** A forked helper with one request/answer at a time over IPC. */
export async function child(file, { execArgv, env } = {}) {
  const c = fork(join(HERE, 'lib', file), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(execArgv ? { execArgv } : {}),
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  const first = await new Promise((resolve, reject) => {
    c.once('message', resolve);
    c.once('exit', (code) => reject(new Error(`${file} exited (${code})`)));
  });
  return {
    first,
    pid: c.pid,
    ask: (msg) =>
      new Promise((resolve) => {
        c.once('message', resolve);
        c.send(msg);
      }),
    kill: () => {
      if (c.exitCode === null) c.kill('SIGKILL');
    },
  };
}

/** Inserts `rate` rows/s in 50 ms batches, each batch announced by one NOTIFY in its statement. */
function feeder(db) {
  let timer = null;
  let busy = false;
  let carry = 0;
  const pad = 'x'.repeat(200);
  const sql = `
    WITH ins AS (
      INSERT INTO activity_events (occurred_at, received_at, category, event_type, outcome, tag, minion_id, jid, fun,
        initiator, target, target_type, retcode, success, changes_count, duration_ms, summary, search_text, dedupe_key)
      SELECT now(), now(), 'job', 'job.ret', 'ok', 'salt/job/20261122000000000001/ret/web-00001.prod.example.com',
        'web-00001.prod.example.com', '20261122000000000001', 'state.apply', 'sudo_alice', 'web-*', 'glob', 0, true, 0, 12.5,
        $1::text, lower($1::text), 'b7:' || $1::text || ':' || g
      FROM generate_series(1, $2::int) AS g RETURNING id)
    SELECT pg_notify('sylvite_activity', json_build_object('max_id', max(id)::text, 'count', count(*), 'categories', json_build_array('job'))::text) FROM ins`;
  return {
    start(rate) {
      carry = 0;
      timer = setInterval(async () => {
        carry += rate * 0.05;
        const n = Math.floor(carry);
        if (n === 0 || busy) return;
        carry -= n;
        busy = true;
        try {
          await db.query(sql, [`bench@${Date.now()} ${pad}`, n]);
        } finally {
          busy = false;
        }
      }, 50);
    },
    async stop() {
      clearInterval(timer);
      while (busy) await sleep(10);
    },
  };
}

/** process.memoryUsage() of a server started with lib/gc-probe.cjs, right after a full collection. */
async function memoryAfterGc(pid, dir) {
  const file = join(dir, `gc-${pid}.json`);
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 300 && !existsSync(file); i++) await sleep(50);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

/** One side of a round: connect n clients, then each rate for `seconds`. */
async function side(kind, { n, rates, seconds, url, headers, setRate, serverPid, gcDir }) {
  const clients = await child('sse-clients.mjs');
  try {
    const rss0 = rssOf(serverPid);
    const gc0 = await memoryAfterGc(serverPid, gcDir);
    const t0 = performance.now();
    const conn = await clients.ask({ cmd: 'connect', url, headers, n, sampleEvery: Math.max(1, Math.floor(n / 50)) });
    const connectS = (performance.now() - t0) / 1000;
    await sleep(1500);
    const rss1 = rssOf(serverPid);
    const gc1 = await memoryAfterGc(serverPid, gcDir);
    const per = (a, b) => (conn.connected && a !== null && b !== null ? (b - a) / conn.connected : null);
    // V8 heap that holds nothing after the collection: mostly the young generation, which a burst of
    // requests grows (to 32 MiB in the api, 8 MiB in the bare server) and V8 keeps at that size.
    const held = (m) => m.rss - (m.heapTotal - m.heapUsed);
    const out = {
      kind, connected: conn.connected, failed: conn.failed, connect_s: connectS,
      // The plain step (the earlier figure), then both after a full collection.
      rss_per_conn: per(rss0, rss1),
      rss_per_conn_gc: gc0 && gc1 ? per(held(gc0), held(gc1)) : null,
      heap_per_conn_gc: gc0 && gc1 ? per(gc0.heapUsed, gc1.heapUsed) : null,
      memory: { rss0, rss1, gc0, gc1 },
      rates: {},
    };
    for (const rate of rates) {
      await setRate(rate);
      await sleep(1000);
      await clients.ask({ cmd: 'reset' });
      await sleep(seconds * 1000);
      const r = await clients.ask({ cmd: 'read' });
      await setRate(0);
      await sleep(400);
      out.rates[rate] = { deliveries_per_s: r.frames / r.seconds, expected_per_s: conn.connected * rate, latency: r.latency, closed_by_server: r.closed_by_server, open: r.open };
    }
    await clients.ask({ cmd: 'close' });
    return out;
  } finally {
    clients.kill();
    await sleep(800);
  }
}

export async function run(ctx) {
  const quick = ctx.quick;
  const sizes = quick ? [100, 1000] : [100, 1000, 5000];
  const rates = quick ? [100] : [10, 100, 1000];
  const rounds = 2;
  const seconds = quick ? 3 : 6;
  const url = await ctx.newDatabase('bench_fanout');
  const gcDir = join(ctx.work, 'b7-gc');
  mkdirSync(gcDir, { recursive: true });
  const gcEnv = { BENCH_GC_DIR: gcDir };
  const db = await connect(url);
  ctx.local.push(() => db.end());
  const api = await startApi(ctx, { databaseUrl: url, label: 'b7', env: { SYLVITE_EVENT_STREAM: 'true', SYLVITE_STREAMS_PER_USER: String(PER_USER), NODE_OPTIONS: `--require "${GC_PROBE}"`, ...gcEnv } });
  ctx.local.push(() => api.stop());
  const admin = await ApiClient.signedIn(api.url, ADMIN.username, ADMIN.password);
  await admin.post('/api/roles', { name: 'bench-stream', permissions: ['view:job:*', 'view:key:*', 'view:minion:*'] });
  const users = Math.ceil(Math.max(...sizes) / PER_USER);
  const headers = [];
  for (let i = 1; i <= users; i++) {
    await admin.post('/api/users', { username: `bench-stream-${i}`, password: USER_PASSWORD, roles: ['bench-stream'] });
    headers.push((await ApiClient.signedIn(api.url, `bench-stream-${i}`, USER_PASSWORD)).authHeaders());
  }
  const feed = feeder(db);
  const bc = await child('broadcaster.mjs', { execArgv: ['--require', GC_PROBE], env: gcEnv });
  ctx.local.push(async () => bc.kill());
  const results = {};
  for (const n of sizes) {
    const A = [];
    const B = [];
    // Each user's streams together: a client i uses user i mod users, at most PER_USER each.
    const hdrs = headers.slice(0, Math.ceil(n / PER_USER));
    for (let r = 0; r < rounds; r++) {
      A.push(await side('api', {
        n, rates, seconds, url: `${api.url}/api/activity/stream`, headers: hdrs, serverPid: api.pid, gcDir,
        setRate: async (rate) => (rate ? feed.start(rate) : feed.stop()),
      }));
      B.push(await side('bare', {
        n, rates, seconds, url: `http://127.0.0.1:${bc.first.port}/stream`, headers: [{}], serverPid: bc.pid, gcDir,
        setRate: (rate) => bc.ask({ cmd: 'rate', rate }),
      }));
      ctx.log(`B7 ${n} clients round ${r + 1}: ` + rates.map((rate) => `${rate}/s api ${fmtNum(A[r].rates[rate].deliveries_per_s)} (p99 ${A[r].rates[rate].latency.p99} ms) bare ${fmtNum(B[r].rates[rate].deliveries_per_s)}`).join('; ') + ` (api connected ${A[r].connected}/${n})`);
    }
    results[n] = { api: A, bare: B };
  }

  const rows = [];
  for (const n of sizes) {
    const { api: A, bare: B } = results[n];
    for (const rate of rates) {
      const ratio = ratioOf(A.map((a, i) => a.rates[rate].deliveries_per_s / B[i].rates[rate].deliveries_per_s));
      const p99 = median(A.map((a) => a.rates[rate].latency.p99).filter((x) => x !== null));
      const cut = A.reduce((s, a) => s + a.rates[rate].closed_by_server, 0);
      const goalP99 = n === 1000 && rate === 100;
      rows.push(
        row('B7', `SSE ${n} clients × ${rate}/s`, {
          measured: `${fmtNum(median(A.map((a) => a.rates[rate].deliveries_per_s)))} deliveries/s, p99 ${fmtNum(p99, 0)} ms${cut ? `, ${cut} cut` : ''}`,
          baseline: `bare ${fmtNum(median(B.map((b) => b.rates[rate].deliveries_per_s)))}/s (of ${fmtNum(n * rate)})`,
          ratio,
          goal: goalP99 ? '≥ 0.7×, p99 < 250 ms' : '≥ 0.7× bare',
          ok: ratio ? ratio.median >= 0.7 && (!goalP99 || (p99 !== null && p99 < 250)) : null,
        }),
      );
    }
    // Below a thousand connections the RSS step is lost in the heap's own growth and collection.
    if (n < 1000) continue;
    const med = (xs, key) => median(xs.map((x) => x[key]).filter((x) => x !== null));
    const mem = med(A, 'rss_per_conn_gc');
    const memB = med(B, 'rss_per_conn_gc');
    rows.push(
      row('B7', `memory per SSE connection (${n})`, {
        measured: `api ${fmtBytes(mem)} RSS after GC, heap ${fmtBytes(med(A, 'heap_per_conn_gc'))} (plain RSS step ${fmtBytes(med(A, 'rss_per_conn'))})`,
        baseline: `bare ${fmtBytes(memB)}, heap ${fmtBytes(med(B, 'heap_per_conn_gc'))} (${fmtBytes(med(B, 'rss_per_conn'))})`,
        ratio: mem && memB ? { median: mem / memB, min: mem / memB, max: mem / memB } : null,
        goal: '≤ 25 KB',
        ok: mem !== null ? mem <= 25 * 1024 : null,
      }),
    );
  }
  return { rows, results };
}
