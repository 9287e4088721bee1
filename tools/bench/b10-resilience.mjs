// B10 — resilience while the simulator emits a steady load: its /events streams reset, its eauth
// tokens expire, and the api restarted (SIGTERM, then a new process on the same database). For
// each: how long until the stream is back, whether every emitted job row is stored exactly once
// (reconciliation from the jobs index) or its loss recorded as a gap, and — across the api
// restart — whether a browser stream resuming with Last-Event-ID gets every stored row.
import http from 'node:http';
import { ApiClient } from './lib/http.mjs';
import { SIM_MINIONS, apiMetrics, saltEnv, waitStreamUp } from './lib/ingest.mjs';
import { connect, sleep } from './lib/pg.mjs';
import { ADMIN, startApi, startSim } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtNum } from './lib/stats.mjs';

/** An SSE client that records every row id and can resume with Last-Event-ID. */
class Recorder {
  constructor(headers) {
    this.headers = headers;
    this.ids = new Set();
    this.last = null;
    this.req = null;
  }
  open(url) {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const headers = { accept: 'text/event-stream', ...this.headers, ...(this.last ? { 'last-event-id': this.last } : {}) };
      this.req = http.get({ host: u.hostname, port: u.port, path: u.pathname, headers, agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`SSE ${res.statusCode}`));
        res.setEncoding('utf8');
        let rest = '';
        res.on('data', (chunk) => {
          const parts = (rest + chunk).split('\n\n');
          rest = parts.pop();
          for (const f of parts) {
            const m = /^id: (\d+)$/m.exec(f);
            if (m && /^event: activity$/m.test(f)) {
              this.ids.add(m[1]);
              this.last = m[1];
            }
          }
        });
        res.on('error', () => undefined);
        resolve();
      });
      this.req.on('error', () => undefined);
    });
  }
  close() {
    this.req?.destroy();
  }
}

async function jobRows(db) {
  return Number((await db.query(`SELECT count(*)::bigint AS n FROM activity_events WHERE event_type IN ('job.new', 'job.ret')`)).rows[0].n);
}
async function gaps(db) {
  return Number((await db.query('SELECT count(*)::bigint AS n FROM stream_gaps')).rows[0].n);
}

/** Time until the api's stream is connected again after `since` (and has reconnected at least once). */
async function backUp(getApi, reconnects0, since, ms = 60_000) {
  for (;;) {
    const m = await apiMetrics(getApi()).catch(() => null);
    if (m && m.up === 1 && m.reconnects > reconnects0) return (performance.now() - since) / 1000;
    if (performance.now() - since > ms) return null;
    await sleep(100);
  }
}

export async function run(ctx) {
  const rate = 300;
  const results = [];

  /** Each scenario on a fresh database, simulator and api: every row stored is one this load emitted. */
  const scenario = async (name, incident) => {
    const url = await ctx.newDatabase('bench_resilience');
    const db = await connect(url);
    const sim = await startSim(ctx, ['--minions', String(SIM_MINIONS)]);
    const env = { api: await startApi(ctx, { databaseUrl: url, label: 'b10', env: saltEnv(sim) }) };
    try {
      await waitStreamUp(env.api);
      const g0 = await gaps(db);
      await sim.control('/_sim/rate', { rate });
      await sleep(2000);
      const r = await incident({ sim, env, url });
      await sleep(4000);
      await sim.control('/_sim/rate', { rate: 0 });
      const c1 = (await sim.control('/_sim/counters')).load;
      const expected = c1.returns + c1.jobs;
      // Reconciliation and the writer finish within seconds; wait until the count is stable.
      let stored = -1;
      for (let i = 0; i < 60; i++) {
        await sleep(500);
        const n = await jobRows(db);
        if (n === stored && (await apiMetrics(env.api)).queue === 0) break;
        stored = n;
      }
      const dup = Number((await db.query(`SELECT count(*)::bigint AS n FROM (SELECT jid, minion_id, event_type FROM activity_events WHERE event_type IN ('job.new','job.ret') GROUP BY 1, 2, 3 HAVING count(*) > 1) d`)).rows[0].n);
      const byType = Object.fromEntries(
        (await db.query(`SELECT event_type, count(*)::int AS n FROM activity_events WHERE event_type IN ('job.new', 'job.ret') GROUP BY 1`)).rows.map((x) => [x.event_type, x.n]),
      );
      const out = {
        name, resumed_s: r.resumed_s, expected, stored, missing: Math.max(0, expected - stored), duplicates: dup, gaps: (await gaps(db)) - g0,
        jobs: { emitted: c1.jobs, stored: byType['job.new'] ?? 0 }, returns: { emitted: c1.returns, stored: byType['job.ret'] ?? 0 },
        gap_rows: (await db.query('SELECT reason, recovered, dropped FROM stream_gaps ORDER BY id')).rows,
      };
      // A loss is visible when a gap row counts it as dropped; otherwise it is silent.
      out.silent = Math.max(0, out.missing - out.gap_rows.reduce((a, g) => a + Number(g.dropped), 0));
      if (r.finish) out.replay = await r.finish(db);
      results.push(out);
      ctx.log(`B10 ${name}: back in ${out.resumed_s === null ? 'never' : fmtNum(out.resumed_s, 2) + ' s'}; ${stored}/${expected} rows, ${dup} duplicated, ${out.gaps} gaps recorded${out.replay ? `; the resumed browser stream got ${out.replay.received} of ${out.replay.expected} rows stored since it first connected` : ''}`);
    } finally {
      await env.api.stop().catch(() => undefined);
      await sim.stop().catch(() => undefined);
      await db.end().catch(() => undefined);
    }
  };

  await scenario('stream reset', async ({ sim, env }) => {
    const m = await apiMetrics(env.api);
    const t = performance.now();
    await sim.control('/_sim/events/drop', { mode: 'reset' });
    return { resumed_s: await backUp(() => env.api, m.reconnects, t) };
  });
  await scenario('token expiry', async ({ sim, env }) => {
    const m = await apiMetrics(env.api);
    const t = performance.now();
    await sim.control('/_sim/tokens/expire', {});
    return { resumed_s: await backUp(() => env.api, m.reconnects, t) };
  });
  await scenario('api restart', async ({ sim, env, url }) => {
    const admin = await ApiClient.signedIn(env.api.url, ADMIN.username, ADMIN.password);
    const rec = new Recorder(admin.authHeaders());
    await rec.open(`${env.api.url}/api/activity/stream`);
    await sleep(500);
    const t = performance.now();
    await env.api.stop('SIGTERM');
    rec.close();
    env.api = await startApi(ctx, { databaseUrl: url, label: 'b10b', env: saltEnv(sim) });
    let resumed = null;
    for (;;) {
      const m = await apiMetrics(env.api).catch(() => null);
      if (m?.up === 1) {
        resumed = (performance.now() - t) / 1000;
        break;
      }
      if (performance.now() - t > 60_000) break;
      await sleep(100);
    }
    // Same session (sessions live in the database): resume where the browser stopped.
    await rec.open(`${env.api.url}/api/activity/stream`);
    return {
      resumed_s: resumed,
      finish: async (db) => {
        await sleep(1500);
        rec.close();
        const first = [...rec.ids].reduce((a, b) => (BigInt(b) < BigInt(a) ? b : a));
        const stored = (await db.query('SELECT id::text AS id FROM activity_events WHERE id >= $1::bigint', [first])).rows.map((x) => x.id);
        return { expected: stored.length, received: rec.ids.size, missing: stored.filter((id) => !rec.ids.has(id)).length };
      },
    };
  });

  const rows = results.map((r) =>
    row('B10', r.name, {
      measured: `back in ${r.resumed_s === null ? 'never' : `${fmtNum(r.resumed_s, 2)} s`}; ${r.stored}/${r.expected} rows${r.missing ? ` (new ${r.jobs.stored}/${r.jobs.emitted}, ret ${r.returns.stored}/${r.returns.emitted})` : ''}`,
      baseline: `${r.duplicates} dup, ${r.gaps} gaps, ${r.silent} lost silently${r.replay ? `, browser ${r.replay.received}/${r.replay.expected}` : ''}`,
      goal: 'resumed < 5 s, nothing lost silently',
      ok: r.resumed_s !== null && r.resumed_s < 5 && r.duplicates === 0 && r.silent === 0 && (!r.replay || r.replay.missing === 0),
    }),
  );
  return { rows, scenarios: results };
}
