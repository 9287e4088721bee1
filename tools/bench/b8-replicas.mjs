// B8 — replicas: three api processes on one database, the leader holding the salt-api stream and
// the others fed by one NOTIFY per committed batch. The ingest ceiling with the two replicas
// running against the leader alone (alternating rounds), and the extra delivery latency of a
// browser stream on a replica over one on the leader. The product has no switch to turn NOTIFY
// off, so the "replicas polling" baseline of issue 9 is not measured.
import { child } from './b7-fanout.mjs';
import { ApiClient } from './lib/http.mjs';
import { SIM_MINIONS, apiMetrics, pipelineOf, rampToCeiling, saltEnv, waitStreamUp } from './lib/ingest.mjs';
import { sleep } from './lib/pg.mjs';
import { ADMIN, startApi, startSim } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtNum, median, ratioOf } from './lib/stats.mjs';

export async function run(ctx) {
  const rounds = ctx.quick ? 1 : 2;
  const url = await ctx.newDatabase('bench_replicas');
  const sim = await startSim(ctx, ['--minions', String(SIM_MINIONS)]);
  ctx.local.push(() => sim.stop());
  const leader = await startApi(ctx, { databaseUrl: url, label: 'b8-leader', env: saltEnv(sim) });
  ctx.local.push(() => leader.stop());
  await waitStreamUp(leader);
  const pipe = pipelineOf(sim, leader);
  let replicas = [];
  const startReplicas = async () => {
    replicas = await Promise.all([1, 2].map((i) => startApi(ctx, { databaseUrl: url, label: `b8-replica${i}`, env: saltEnv(sim) })));
    for (const r of replicas) {
      const m = await apiMetrics(r);
      if (m.leader === 1) throw new Error('a replica took the stream from a live leader');
    }
  };
  const stopReplicas = async () => {
    for (const r of replicas.splice(0)) await r.stop();
  };
  ctx.local.push(() => stopReplicas());

  // Delivery latency, occurred_at (`_stamp`) → frame received, on the leader and on each replica.
  await startReplicas();
  const admin = await ApiClient.signedIn(leader.url, ADMIN.username, ADMIN.password);
  const clients = await child('sse-clients.mjs');
  ctx.local.push(async () => clients.kill());
  const targets = [['leader', leader], ['replica1', replicas[0]], ['replica2', replicas[1]]];
  for (const [tag, api] of targets) {
    const c = await clients.ask({ cmd: 'connect', url: `${api.url}/api/activity/stream`, headers: [admin.authHeaders()], n: 5, tag, stamp: 'occurred' });
    if (c.connected !== 5) throw new Error(`SSE on ${tag}: ${JSON.stringify(c.failed)}`);
  }
  const rate = Math.round(Math.min(1000, (ctx.shared.ingestCeiling ?? 1000) / 2));
  await sim.control('/_sim/rate', { rate });
  await sleep(1500);
  await clients.ask({ cmd: 'reset' });
  await sleep((ctx.quick ? 8 : 20) * 1000);
  const lat = await clients.ask({ cmd: 'read' });
  await sim.control('/_sim/rate', { rate: 0 });
  await clients.ask({ cmd: 'close' });
  const L = lat.tags.leader;
  const R = [lat.tags.replica1, lat.tags.replica2];
  ctx.log(`B8 at ${rate} events/s: leader p50 ${L.latency.p50} p99 ${L.latency.p99} ms (${L.frames} frames); replicas ${R.map((r) => `p50 ${r.latency.p50} p99 ${r.latency.p99} ms (${r.frames})`).join(', ')}`);

  // Ingest ceiling with the replicas listening (A) and without them (B).
  const A = [];
  const B = [];
  for (let r = 0; r < rounds; r++) {
    if (!replicas.length) await startReplicas();
    A.push(await rampToCeiling(pipe, { start: 800, stepMs: ctx.quick ? 2000 : 3000 }));
    await stopReplicas();
    B.push(await rampToCeiling(pipe, { start: 800, stepMs: ctx.quick ? 2000 : 3000 }));
    ctx.log(`B8 round ${r + 1}: ceiling with replicas ${fmtNum(A[r].rows_per_s)} rows/s, leader alone ${fmtNum(B[r].rows_per_s)} rows/s`);
  }
  const ratio = ratioOf(A.map((a, i) => a.rows_per_s / B[i].rows_per_s));
  const extra = Math.max(...R.map((r) => (r.latency.p99 ?? Infinity) - (L.latency.p99 ?? 0)));
  const missing = Math.max(...R.map((r) => L.frames - r.frames));
  const rows = [
    row('B8', 'ingest with 2 replicas listening', {
      measured: `${fmtNum(median(A.map((a) => a.rows_per_s)))} rows/s`,
      baseline: `leader alone ${fmtNum(median(B.map((b) => b.rows_per_s)))} rows/s`,
      ratio,
      goal: '≥ 0.97× (vs polling: not measurable)',
      ok: ratio ? ratio.median >= 0.97 : null,
    }),
    row('B8', `replica delivery at ${rate} events/s`, {
      measured: `replica p99 ${R.map((r) => fmtNum(r.latency.p99, 0)).join(' / ')} ms (${extra >= 0 ? '+' : ''}${fmtNum(extra, 0)})`,
      baseline: `leader p99 ${fmtNum(L.latency.p99, 0)} ms, ${L.frames} frames${missing > 0 ? `; replicas ${missing} fewer` : ''}`,
      goal: 'replica extra p99 < 50 ms',
      ok: Number.isFinite(extra) ? extra < 50 : null,
    }),
  ];
  return { rows, latency: lat.tags, ingest: { with_replicas: A, alone: B }, rate };
}
