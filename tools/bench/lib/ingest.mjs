// Shared by B1, B2 and B5: the simulator feeding an api whose stream pipeline is on.
import { connect, sleep } from './pg.mjs';
import { SIM_USER, cpuSecondsOf, metric, startApi, startSim } from './procs.mjs';

export const SIM_MINIONS = 100;
/** Events per stored row in load mode: per job the bare `<jid>` (not stored), `new` and one return per minion. */
export const EVENTS_PER_ROW = (SIM_MINIONS + 2) / (SIM_MINIONS + 1);

/** The api's environment for streaming from `sim`. */
export function saltEnv(sim) {
  return {
    SALT_API_URL: sim.url,
    SALT_API_USERNAME: SIM_USER.username,
    SALT_API_PASSWORD: SIM_USER.password,
    SALT_API_EAUTH: 'pam',
    SYLVITE_EVENT_STREAM: 'true',
  };
}

/** The ingest figures of one api process, from its /api/metrics. */
export async function apiMetrics(api) {
  const r = await fetch(`${api.url}/api/metrics`);
  const text = await r.text();
  return {
    up: metric(text, 'sylvite_salt_stream_up'),
    leader: metric(text, 'sylvite_salt_stream_leader'),
    rows: metric(text, 'sylvite_ingest_rows_total') ?? 0,
    batches: metric(text, 'sylvite_ingest_batches_total') ?? 0,
    dropped: metric(text, 'sylvite_ingest_dropped_total') ?? 0,
    queue: metric(text, 'sylvite_ingest_queue_depth') ?? 0,
    duplicates: metric(text, 'sylvite_ingest_duplicates_total') ?? 0,
    lag: metric(text, 'sylvite_salt_stream_lag_seconds'),
    reconnects: metric(text, 'sylvite_salt_stream_reconnects_total') ?? 0,
  };
}

export async function waitStreamUp(api, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const m = await apiMetrics(api).catch(() => null);
    if (m?.up === 1) return;
    if (Date.now() > until) throw new Error(`the api did not connect to the simulator's /events within ${ms / 1000} s; last lines:\n${api.logs.slice(-10).join('\n')}`);
    await sleep(200);
  }
}

/** A simulator and an api streaming from it into `databaseUrl`; both stopped with the benchmark. */
export async function startPipeline(ctx, databaseUrl, label) {
  const sim = await startSim(ctx, ['--minions', String(SIM_MINIONS)]);
  ctx.local.push(() => sim.stop());
  const api = await startApi(ctx, { databaseUrl, label, env: saltEnv(sim) });
  ctx.local.push(() => api.stop());
  await waitStreamUp(api);
  return pipelineOf(sim, api);
}

export function pipelineOf(sim, api) {
  return { sim, api, metrics: () => apiMetrics(api), counters: async () => (await sim.control('/_sim/counters')).load };
}

/** CPU seconds of the api, the simulator and the ingest connection's PostgreSQL backend. */
export async function cpuSnapshot(pipe, db) {
  let backend = null;
  try {
    const r = await db.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'sylvite-ingest' LIMIT 1`);
    backend = r.rows[0]?.pid ?? null;
  } catch {
    // not connected yet
  }
  return { api: cpuSecondsOf(pipe.api.pid), sim: cpuSecondsOf(pipe.sim.pid), pg_writer: backend ? cpuSecondsOf(backend) : null, at: performance.now() };
}

export function cpuShare(a, b) {
  const wall = (b.at - a.at) / 1000;
  const share = (k) => (a[k] !== null && b[k] !== null ? Math.round(((b[k] - a[k]) / wall) * 100) / 100 : null);
  return { api_cores: share('api'), sim_cores: share('sim'), pg_writer_cores: share('pg_writer'), wall_s: Math.round(wall * 10) / 10 };
}

/**
 * Raises the simulator's rate step by step (×1.3 every `stepMs`) until the pipeline falls behind
 * — the reader's lag passes 2 s, the queue holds more than 2 s of rows, or the stream is lost —
 * and returns the best committed rows/s of any step (the ceiling), with the step log. The
 * simulator drops a subscriber with 64 MiB unsent (as salt-api drops one that stalls), so the
 * offered rate cannot simply be set far above the ceiling.
 */
export async function rampToCeiling(pipe, { start = 800, factor = 1.3, stepMs = 2500, maxRate = 60_000, timeoutMs = 120_000 } = {}) {
  const sim0 = (await pipe.sim.control('/_sim/counters')).streams;
  const m0 = await pipe.metrics();
  const t0 = performance.now();
  const steps = [];
  let rate = start;
  let prev = { rows: m0.rows, at: performance.now() };
  let reason = 'max rate';
  await pipe.sim.control('/_sim/rate', { rate });
  for (;;) {
    await sleep(stepMs);
    const m = await pipe.metrics();
    const now = performance.now();
    const sim = (await pipe.sim.control('/_sim/counters')).streams;
    const committed = (m.rows - prev.rows) / ((now - prev.at) / 1000);
    steps.push({ offered: Math.round(rate), committed: Math.round(committed), queue: m.queue, lag_s: m.lag });
    prev = { rows: m.rows, at: now };
    const lost = sim.droppedSlow > sim0.droppedSlow || m.reconnects > m0.reconnects || m.dropped > m0.dropped;
    if (lost) reason = 'stream lost or queue overflow';
    else if (m.lag !== null && m.lag > 2) reason = 'reader behind (lag > 2 s)';
    else if (m.queue > 2 * committed && m.queue > 1000) reason = 'writer behind (queue > 2 s of rows)';
    else if (rate * factor > maxRate) reason = 'max rate';
    else if (now - t0 > timeoutMs) reason = 'time';
    else {
      rate *= factor;
      await pipe.sim.control('/_sim/rate', { rate: Math.round(rate) });
      continue;
    }
    break;
  }
  await pipe.sim.control('/_sim/rate', { rate: 0 });
  // Let the queue drain (and a lost stream reconnect) before anything else is measured.
  const drainStart = performance.now();
  let last = -1;
  for (;;) {
    await sleep(300);
    const m = await pipe.metrics();
    if (m.queue === 0 && m.rows === last && m.up === 1) break;
    last = m.rows;
    if (performance.now() - drainStart > 60_000) break;
  }
  const m1 = await pipe.metrics();
  const sim1 = (await pipe.sim.control('/_sim/counters')).streams;
  // A step's rate is only trusted when the pipeline kept up with it or was saturated by it.
  const best = Math.max(...steps.map((s) => s.committed));
  return {
    rows_per_s: best,
    stopped_because: reason,
    steps,
    rows: m1.rows - m0.rows,
    dropped: m1.dropped - m0.dropped,
    reconnects: m1.reconnects - m0.reconnects,
    sim_dropped_slow: sim1.droppedSlow - sim0.droppedSlow,
    seconds: (performance.now() - t0) / 1000,
  };
}

export async function truncateActivity(db) {
  await db.query('TRUNCATE activity_events, activity_payloads, activity_dedupe, stream_gaps');
}

export { connect };
