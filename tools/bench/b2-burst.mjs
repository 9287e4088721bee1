// B2 — a burst of returns at 5,000/s (simulator → api) while two readers page the feed. The
// baseline is the same readers without the burst (the product has no switch to turn its writer
// off). Drain time after the last event, reader stalls, drops (silent or recorded as a gap), RSS.
import { feedDatabase } from './b4-feed.mjs';
import { ApiClient } from './lib/http.mjs';
import { startPipeline } from './lib/ingest.mjs';
import { connect, sleep } from './lib/pg.mjs';
import { ADMIN } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtBytes, fmtNum, ratioOf, summarize } from './lib/stats.mjs';

/** A reader paging newest-first through up to 20 pages, again and again, until stopped. */
function reader(client) {
  let stop = false;
  const lat = [];
  const done = (async () => {
    while (!stop) {
      let cursor = null;
      for (let p = 0; p < 20 && !stop; p++) {
        const r = await client.timedGet(`/api/activity?limit=50${cursor ? `&before_cursor=${encodeURIComponent(cursor)}` : ''}`);
        lat.push(r.ms);
        cursor = r.reply.json?.next_before_cursor ?? null;
        if (!cursor) break;
      }
    }
  })();
  return {
    lat,
    async end() {
      stop = true;
      await done;
    },
  };
}

async function readersFor(clients, fn) {
  const rs = clients.map(reader);
  try {
    return await fn();
  } finally {
    for (const r of rs) await r.end();
    readersFor.last = rs.flatMap((r) => r.lat);
  }
}

export async function run(ctx) {
  const returns = ctx.quick ? 15_000 : 50_000;
  const rounds = ctx.quick ? 1 : 2;
  const feed = await feedDatabase(ctx);
  const db = await connect(feed.url);
  ctx.local.push(() => db.end());
  const pipe = await startPipeline(ctx, feed.url, 'b2');
  const clients = [await ApiClient.signedIn(pipe.api.url, ADMIN.username, ADMIN.password), await ApiClient.signedIn(pipe.api.url, ADMIN.username, ADMIN.password)];
  const trials = [];
  for (let r = 0; r < rounds; r++) {
    await readersFor(clients, () => sleep(5000));
    const alone = summarize(readersFor.last);
    const gaps0 = Number((await db.query('SELECT coalesce(sum(dropped), 0)::bigint AS n FROM stream_gaps')).rows[0].n);
    const m0 = await pipe.metrics();
    const c0 = await pipe.counters();
    const sim0 = (await pipe.sim.control('/_sim/counters')).streams;
    let rssMax = 0;
    const burst = await readersFor(clients, async () => {
      const t0 = performance.now();
      await pipe.sim.control('/_sim/burst', { rate: 5000, returns });
      let lastEvent = null;
      let expected = null;
      let doneAt = null;
      let rowsSeen = -1;
      let progressAt = performance.now();
      while (performance.now() - t0 < 180_000) {
        await sleep(250);
        rssMax = Math.max(rssMax, pipe.api.rss() ?? 0);
        const m = await pipe.metrics();
        if (m.rows !== rowsSeen) {
          rowsSeen = m.rows;
          progressAt = performance.now();
        }
        if (lastEvent === null) {
          const c = await pipe.counters();
          if (!c.burstRemaining) {
            lastEvent = performance.now();
            expected = c.returns - c0.returns + (c.jobs - c0.jobs);
          }
        }
        if (expected !== null && m.rows - m0.rows >= expected) {
          doneAt = performance.now();
          break;
        }
        // Nothing more will come (no row for 30 s, reconciliation included): what is missing must
        // have been recorded as a gap.
        if (lastEvent !== null && m.queue === 0 && performance.now() - progressAt > 30_000) break;
      }
      return { emit_s: ((lastEvent ?? performance.now()) - t0) / 1000, drain_s: doneAt && lastEvent ? (doneAt - lastEvent) / 1000 : null, expected };
    });
    const under = summarize(readersFor.last);
    const m1 = await pipe.metrics();
    const sim1 = (await pipe.sim.control('/_sim/counters')).streams;
    const gaps1 = Number((await db.query('SELECT coalesce(sum(dropped), 0)::bigint AS n FROM stream_gaps')).rows[0].n);
    const committed = m1.rows - m0.rows;
    const missing = Math.max(0, (burst.expected ?? 0) - committed);
    const recorded = gaps1 - gaps0;
    const t = {
      ...burst, committed, missing, recorded_dropped: recorded, silent: Math.max(0, missing - recorded),
      reconnects: m1.reconnects - m0.reconnects, sim_dropped_slow: sim1.droppedSlow - sim0.droppedSlow,
      rss_max: rssMax, readers_alone: alone, readers_under: under,
    };
    trials.push(t);
    ctx.log(
      `B2 round ${r + 1}: ${returns} returns emitted in ${fmtNum(t.emit_s)} s, drained ${t.drain_s === null ? 'never' : fmtNum(t.drain_s) + ' s'} after; ` +
        `${committed}/${t.expected} rows, ${recorded} recorded as dropped; readers p99 ${fmtNum(under.p99)} max ${fmtNum(under.max)} ms (alone p99 ${fmtNum(alone.p99)}); RSS ${fmtBytes(rssMax)}`,
    );
  }
  const worst = (f) => Math.max(...trials.map(f));
  const drain = trials.some((t) => t.drain_s === null) ? null : worst((t) => t.drain_s);
  const ratio = ratioOf(trials.map((t) => t.readers_under.p99 / t.readers_alone.p99));
  const rows = [
    row('B2', `burst ${fmtNum(returns, 0)} returns at 5k/s: drain`, {
      measured: drain === null ? 'not drained' : `${fmtNum(drain)} s after the last event`,
      baseline: `emitted in ${fmtNum(worst((t) => t.emit_s))} s`,
      goal: '≤ 20 s',
      ok: drain !== null && drain <= 20,
    }),
    row('B2', 'readers paging during the burst', {
      measured: `p99 ${fmtNum(worst((t) => t.readers_under.p99))} / max ${fmtNum(worst((t) => t.readers_under.max))} ms`,
      baseline: `no burst p99 ${fmtNum(worst((t) => t.readers_alone.p99))} ms`,
      ratio,
      goal: 'no stall > 1 s',
      ok: worst((t) => t.readers_under.max) < 1000,
    }),
    row('B2', 'drops during the burst', {
      measured: `${worst((t) => t.silent)} silent, ${worst((t) => t.recorded_dropped)} recorded as gaps`,
      baseline: `${worst((t) => t.reconnects)} reconnects`,
      goal: '0 silent',
      ok: worst((t) => t.silent) === 0,
    }),
    row('B2', 'api RSS during the burst', { measured: fmtBytes(worst((t) => t.rss_max)), goal: '< 1 GiB', ok: worst((t) => t.rss_max) < 2 ** 30 }),
  ];
  return { rows, trials };
}
