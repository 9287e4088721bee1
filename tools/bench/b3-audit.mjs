// B3 — the audit trail's cost: autocannon on guarded routes with auditing of reads on and off
// (the `audit_reads` setting is the product's switch), alternating rounds; a guarded POST (its
// audit row is durable before the handler runs and sealed after: there is no switch) against an
// unaudited @Public route; WAL and commits per read; and no buffered row lost on a graceful stop.
import autocannon from 'autocannon';
import { ApiClient } from './lib/http.mjs';
import { captureStatements, connect, sleep, walBytesSince, walLsn } from './lib/pg.mjs';
import { ADMIN, startApi } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtNum, median, ratioOf, summarize } from './lib/stats.mjs';

const CONNECTIONS = 10;

function cannon(url, { method = 'GET', headers = {}, body, seconds, connections = CONNECTIONS }) {
  return autocannon({
    url,
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    body: body ? JSON.stringify(body) : undefined,
    connections,
    duration: seconds,
  }).then((r) => ({
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  }));
}

async function setAuditReads(admin, on) {
  const r = await admin.patch('/api/admin/settings/audit', { audit_reads: on });
  if (r.status !== 200) throw new Error(`PATCH /api/admin/settings/audit: ${r.status} ${r.text.slice(0, 200)}`);
  // The interceptor reads the setting from a cache of at most one second.
  await sleep(1200);
}

async function xactCommits(db) {
  const r = await db.query('SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(r.rows[0].n);
}

export async function run(ctx) {
  const seconds = ctx.quick ? 3 : 10;
  const rounds = ctx.quick ? 2 : 3;
  const url = await ctx.newDatabase('bench_audit');
  const db = await connect(url);
  ctx.local.push(() => db.end());
  const api = await startApi(ctx, { databaseUrl: url, label: 'b3' });
  ctx.local.push(() => api.stop());
  const admin = await ApiClient.signedIn(api.url, ADMIN.username, ADMIN.password);
  const auth = admin.authHeaders(true);

  const gets = [
    { id: 'widget', what: 'GET /api/activity/widget-config', path: '/api/activity/widget-config' },
    { id: 'activity', what: 'GET /api/activity?limit=50', path: '/api/activity?limit=50' },
  ];
  const out = { gets: {}, post: null };
  for (const g of gets) {
    await cannon(api.url + g.path, { headers: auth, seconds: 1 });
    const on = [];
    const off = [];
    for (let r = 0; r < rounds; r++) {
      await setAuditReads(admin, true);
      on.push(await cannon(api.url + g.path, { headers: auth, seconds }));
      await setAuditReads(admin, false);
      off.push(await cannon(api.url + g.path, { headers: auth, seconds }));
    }
    out.gets[g.id] = { on, off, ratio_rps: ratioOf(on.map((a, i) => a.rps / off[i].rps)), delta_p99: ratioOf(on.map((a, i) => a.p99 - off[i].p99)) };
    ctx.log(`B3 ${g.what}: audit on ${fmtNum(median(on.map((x) => x.rps)))} req/s p99 ${median(on.map((x) => x.p99))} ms; off ${fmtNum(median(off.map((x) => x.rps)))} req/s p99 ${median(off.map((x) => x.p99))} ms`);
  }

  // What one read costs the database with auditing off: WAL bytes and commits per request.
  {
    const lsn = await walLsn(db);
    const c0 = await xactCommits(db);
    const r = await cannon(api.url + '/api/activity/widget-config', { headers: auth, seconds: 2 });
    const wal = await walBytesSince(db, lsn);
    const commits = (await xactCommits(db)) - c0;
    out.read_cost = { requests: r.ok, wal_bytes_per_request: Math.round(wal / Math.max(1, r.ok)), commits_per_request: Math.round((commits / Math.max(1, r.ok)) * 100) / 100 };
    ctx.log(`B3 a read with auditing off: ${out.read_cost.wal_bytes_per_request} B WAL and ${out.read_cost.commits_per_request} commits per request`);
  }

  // The guarded POST: its audit row is written (durably) before the handler and sealed after.
  {
    const body = { name: 'bench', permissions: ['view:job:*'], expires_in_days: 1 };
    const A = [];
    const B = [];
    // One client: the goal is about the latency a mutation pays, not about queueing.
    await cannon(api.url + '/api/tokens', { method: 'POST', headers: auth, body, seconds: 1, connections: 1 });
    for (let r = 0; r < rounds; r++) {
      A.push(await cannon(api.url + '/api/tokens', { method: 'POST', headers: auth, body, seconds, connections: 1 }));
      B.push(await cannon(api.url + '/api/auth/setup', { seconds, connections: 1 }));
    }
    // What one POST runs, statement by statement (bench-results.json): where its time goes.
    const entries = await captureStatements(ctx.cluster, async () => {
      await admin.post('/api/tokens', body);
    });
    out.post_statements = entries.map((e) => e.sql.replace(/\s+/g, ' ').slice(0, 100));
    out.post_transactions = entries.filter((e) => /^(COMMIT|INSERT|UPDATE|DELETE)/i.test(e.sql)).length;
    // And saturated: every mutation's row is sealed into the hash chain under one lock.
    out.post_saturated = await cannon(api.url + '/api/tokens', { method: 'POST', headers: auth, body, seconds, connections: CONNECTIONS });
    out.post = { post: A, public_get: B, delta_p99: ratioOf(A.map((a, i) => a.p99 - B[i].p99)), ratio_rps: ratioOf(A.map((a, i) => a.rps / B[i].rps)) };
    ctx.log(`B3 POST /api/tokens: ${fmtNum(median(A.map((x) => x.rps)))} req/s p99 ${median(A.map((x) => x.p99))} ms; GET /api/auth/setup ${fmtNum(median(B.map((x) => x.rps)))} req/s p99 ${median(B.map((x) => x.p99))} ms`);
  }

  // The session lookup every guarded request starts with, as the api runs it: it used to be an
  // UPDATE (a new row version and an fsync'd commit per request) even when nothing changed.
  {
    const entries = await captureStatements(ctx.cluster, async () => {
      await admin.get('/api/activity/widget-config');
    });
    const lookup = entries.find((e) => /\bsessions\b/i.test(e.sql));
    if (lookup) {
      const ms = [];
      const lsn = await walLsn(db);
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await db.query({ text: lookup.sql, values: lookup.params });
        ms.push(performance.now() - t);
      }
      const wal = Math.round((await walBytesSince(db, lsn)) / 200);
      out.session_lookup = { kind: lookup.sql.split(/\s+/)[0].toUpperCase(), ...summarize(ms), wal_bytes: wal, sql: lookup.sql };
      ctx.log(`B3 session lookup (${out.session_lookup.kind}): p50 ${fmtNum(out.session_lookup.p50, 2)} ms, ${wal} B WAL`);
    }
  }

  // Graceful stop: every buffered read row written before the process exits.
  {
    await setAuditReads(admin, true);
    const count = async () => Number((await db.query(`SELECT count(*)::bigint AS n FROM audit_log WHERE action = 'activity.widget_config'`)).rows[0].n);
    const before = await count();
    const r = await cannon(api.url + '/api/activity/widget-config', { headers: auth, seconds: 2 });
    await api.stop('SIGTERM');
    const after = await count();
    out.graceful = { answered: r.ok, rows: after - before, lost: Math.max(0, r.ok - (after - before)) };
    ctx.log(`B3 graceful stop: ${r.ok} answered, ${after - before} rows`);
  }

  const rows = [];
  for (const g of gets) {
    const x = out.gets[g.id];
    rows.push(
      row('B3', `${g.what} audited`, {
        measured: `on ${fmtNum(median(x.on.map((a) => a.rps)))} req/s, p99 ${median(x.on.map((a) => a.p99))} ms`,
        baseline: `off ${fmtNum(median(x.off.map((a) => a.rps)))} req/s, p99 ${median(x.off.map((a) => a.p99))} ms`,
        ratio: x.ratio_rps,
        goal: 'req/s ≥ 0.9× off',
        ok: x.ratio_rps ? x.ratio_rps.median >= 0.9 : null,
      }),
    );
  }
  const p = out.post;
  rows.push(
    row('B3', 'POST /api/tokens (durable audit)', {
      measured: `${fmtNum(median(p.post.map((a) => a.rps)))} req/s, p99 ${median(p.post.map((a) => a.p99))} ms (+${fmtNum(p.delta_p99?.median)} ms), ${out.post_statements.length} statements`,
      baseline: `@Public GET /api/auth/setup p99 ${median(p.public_get.map((a) => a.p99))} ms`,
      ratio: p.ratio_rps,
      goal: 'p99 + ≤ 2 ms (no audit switch: vs @Public)',
      ok: p.delta_p99 ? p.delta_p99.median <= 2 : null,
    }),
    row('B3', 'POST /api/tokens, 10 clients', {
      measured: `${fmtNum(out.post_saturated.rps)} req/s, p99 ${out.post_saturated.p99} ms`,
      baseline: `${fmtNum(median(p.post.map((a) => a.rps)))} req/s with 1 client`,
      goal: 'informational',
    }),
    ...(out.session_lookup
      ? [
          row('B3', 'session lookup, every request', {
            measured: `${out.session_lookup.kind} p50 ${fmtNum(out.session_lookup.p50, 2)} / p99 ${fmtNum(out.session_lookup.p99, 2)} ms, ${out.session_lookup.wal_bytes} B WAL`,
            goal: 'no WAL for a read',
            ok: out.session_lookup.wal_bytes < 50,
          }),
        ]
      : []),
    row('B3', 'read cost with auditing off', {
      measured: `${out.read_cost.wal_bytes_per_request} B WAL, ${out.read_cost.commits_per_request} commits / GET`,
      goal: 'a read writes nothing',
      ok: out.read_cost.wal_bytes_per_request < 50,
    }),
    row('B3', 'graceful stop, audit_reads on', {
      measured: `${out.graceful.rows} rows for ${out.graceful.answered} answered`,
      goal: '0 rows lost',
      ok: out.graceful.lost === 0,
    }),
  );
  return { rows, ...out };
}
