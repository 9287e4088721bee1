// B5 — the feed while ingest runs at half of B1's ceiling (simulator → api → the same big
// tables), against the same queries with the simulator idle, alternating rounds.
import { feedDatabase, feedQueries } from './b4-feed.mjs';
import { apiPage, sample, signInUsers } from './lib/feed.mjs';
import { EVENTS_PER_ROW, startPipeline } from './lib/ingest.mjs';
import { connect, sleep } from './lib/pg.mjs';
import { row } from './lib/report.mjs';
import { fmtNum, ratioOf, summarize } from './lib/stats.mjs';

const PICK = ['first', 'keyset50', 'scope_web', 'hide_routine', 'search_selective', 'audit_first'];

async function drained(pipe) {
  for (let i = 0; i < 100; i++) {
    const m = await pipe.metrics();
    if (m.queue === 0) return;
    await sleep(200);
  }
}

export async function run(ctx) {
  const feed = await feedDatabase(ctx);
  const db = await connect(feed.url);
  ctx.local.push(() => db.end());
  const pipe = await startPipeline(ctx, feed.url, 'b5');
  const users = await signInUsers(pipe.api.url);
  const queries = (await feedQueries(db, users, ctx.rows)).filter((q) => PICK.includes(q.id));
  const ceiling = ctx.shared.ingestCeiling ?? null;
  const rowsPerS = ceiling ? ceiling / 2 : 1000;
  const rounds = ctx.quick ? 2 : 3;
  const opts = ctx.quick ? { n: 15, budgetMs: 1500 } : { n: 40, budgetMs: 4000 };
  const res = Object.fromEntries(queries.map((q) => [q.id, { A: [], B: [], ratios: [] }]));
  for (const q of queries) await apiPage(q.client, q.path).catch(() => undefined);
  const m0 = await pipe.metrics();
  for (let r = 0; r < rounds; r++) {
    await pipe.sim.control('/_sim/rate', { rate: Math.round(rowsPerS * EVENTS_PER_ROW) });
    await sleep(2000);
    const under = {};
    for (const q of queries) under[q.id] = await sample(() => apiPage(q.client, q.path), opts);
    await pipe.sim.control('/_sim/rate', { rate: 0 });
    await drained(pipe);
    await sleep(500);
    for (const q of queries) {
      const alone = await sample(() => apiPage(q.client, q.path), opts);
      const x = res[q.id];
      x.A.push(...under[q.id].ms);
      x.B.push(...alone.ms);
      x.ratios.push(summarize(under[q.id].ms).p99 / summarize(alone.ms).p99);
    }
  }
  const m1 = await pipe.metrics();
  ctx.log(`B5: ${m1.rows - m0.rows} rows ingested meanwhile at ${fmtNum(rowsPerS)} rows/s${ceiling ? '' : ' (B1 did not run: 1,000 assumed)'}`);
  const rows = [];
  const out = {};
  for (const q of queries) {
    const x = res[q.id];
    const a = summarize(x.A);
    const b = summarize(x.B);
    const ratio = ratioOf(x.ratios);
    out[q.id] = { under: a, alone: b, ratio_p99: ratio };
    rows.push(
      row('B5', `${q.what} under ingest`, {
        measured: `p99 ${fmtNum(a.p99)} / max ${fmtNum(a.max)} ms`,
        baseline: `alone p99 ${fmtNum(b.p99)} ms`,
        ratio,
        goal: 'p99 ≤ 2×, max < 250 ms',
        ok: ratio ? ratio.median <= 2 && a.max < 250 : null,
      }),
    );
  }
  return { rows, queries: out, ingest_rows_per_s: rowsPerS, rows_ingested: m1.rows - m0.rows };
}
