// B9 — end to end: the simulator's `_stamp` to a browser stream (salt-sim → api ingest → commit →
// SSE fan-out to N clients in a separate process), against B7's bare broadcaster relaying another
// simulator's /events straight to the same clients. Alternating rounds; each side has its own
// simulator so only one of them is loaded at a time.
import { child } from './b7-fanout.mjs';
import { ApiClient } from './lib/http.mjs';
import { SIM_MINIONS, saltEnv, waitStreamUp } from './lib/ingest.mjs';
import { sleep } from './lib/pg.mjs';
import { ADMIN, SIM_USER, startApi, startSim } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtNum, median, ratioOf } from './lib/stats.mjs';

const PER_USER = 1000;

async function side({ n, url, headers, sim, rate, seconds }) {
  const clients = await child('sse-clients.mjs');
  try {
    const c = await clients.ask({ cmd: 'connect', url, headers, n, stamp: 'occurred', sampleEvery: Math.max(1, Math.floor(n / 20)) });
    await sleep(1000);
    await sim.control('/_sim/rate', { rate });
    await sleep(1500);
    await clients.ask({ cmd: 'reset' });
    await sleep(seconds * 1000);
    const r = await clients.ask({ cmd: 'read' });
    await sim.control('/_sim/rate', { rate: 0 });
    await clients.ask({ cmd: 'close' });
    return { connected: c.connected, deliveries_per_s: r.frames / r.seconds, latency: r.latency, closed_by_server: r.closed_by_server };
  } finally {
    clients.kill();
    await sleep(1500);
  }
}

export async function run(ctx) {
  const n = ctx.quick ? 200 : 1000;
  const rate = ctx.quick ? 200 : 1000;
  const seconds = ctx.quick ? 4 : 10;
  const rounds = 2;
  const url = await ctx.newDatabase('bench_e2e');
  const simA = await startSim(ctx, ['--minions', String(SIM_MINIONS)]);
  ctx.local.push(() => simA.stop());
  const simB = await startSim(ctx, ['--minions', String(SIM_MINIONS)]);
  ctx.local.push(() => simB.stop());
  const api = await startApi(ctx, { databaseUrl: url, label: 'b9', env: { ...saltEnv(simA), SYLVITE_STREAMS_PER_USER: String(PER_USER) } });
  ctx.local.push(() => api.stop());
  await waitStreamUp(api);
  const admin = await ApiClient.signedIn(api.url, ADMIN.username, ADMIN.password);
  const bc = await child('broadcaster.mjs');
  ctx.local.push(async () => bc.kill());
  await bc.ask({ cmd: 'source', url: simB.url, username: SIM_USER.username, password: SIM_USER.password });
  const A = [];
  const B = [];
  for (let r = 0; r < rounds; r++) {
    A.push(await side({ n, url: `${api.url}/api/activity/stream`, headers: [admin.authHeaders()], sim: simA, rate, seconds }));
    B.push(await side({ n, url: `http://127.0.0.1:${bc.first.port}/stream`, headers: [{}], sim: simB, rate, seconds }));
    ctx.log(`B9 round ${r + 1}: api p50 ${A[r].latency.p50} p99 ${A[r].latency.p99} ms, ${fmtNum(A[r].deliveries_per_s)}/s; bare p50 ${B[r].latency.p50} p99 ${B[r].latency.p99} ms, ${fmtNum(B[r].deliveries_per_s)}/s`);
  }
  const p50 = median(A.map((a) => a.latency.p50));
  const p99 = median(A.map((a) => a.latency.p99));
  const ratio = ratioOf(A.map((a, i) => a.latency.p99 / B[i].latency.p99));
  const rows = [
    row('B9', `_stamp → browser, ${n} clients × ${rate}/s`, {
      measured: `p50 ${fmtNum(p50, 0)} / p99 ${fmtNum(p99, 0)} ms, ${fmtNum(median(A.map((a) => a.deliveries_per_s)))}/s`,
      baseline: `bare relay p50 ${fmtNum(median(B.map((b) => b.latency.p50)), 0)} / p99 ${fmtNum(median(B.map((b) => b.latency.p99)), 0)} ms, ${fmtNum(median(B.map((b) => b.deliveries_per_s)))}/s`,
      ratio,
      goal: 'p50 < 250 ms, p99 < 1 s',
      ok: p50 !== null && p99 !== null ? p50 < 250 && p99 < 1000 : null,
    }),
  ];
  return { rows, api: A, bare: B, clients: n, rate };
}
