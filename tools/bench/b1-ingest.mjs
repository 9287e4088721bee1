// B1 — ingest: salt-sim load mode (70 % 2 KB, 25 % 20 KB, 5 % 200 KB returns) → the api's stream
// pipeline (reader, bounded queue, normalizer, COPY writer with dedupe ledger, NOTIFY) → committed
// rows/s; against (a) COPY of the same normalized rows into identical tables and (b) an AWX-style
// writer (ORM batch insert, flushed at 1 s or 1,000 rows), alternating rounds. Then `_stamp` →
// commit latency at half the measured ceiling.
import pgCopyStreams from 'pg-copy-streams';
import typeorm from 'typeorm';
import { EVENTS_PER_ROW, connect, cpuShare, cpuSnapshot, rampToCeiling, startPipeline, truncateActivity } from './lib/ingest.mjs';
import { sleep } from './lib/pg.mjs';
import { row } from './lib/report.mjs';
import { fmtNum, median, ratioOf, summarize } from './lib/stats.mjs';

const { DataSource, EntitySchema } = typeorm;
const BATCH = 1000;

/** The committed rows (events and payloads) as COPY text, in batches of BATCH rows. */
async function exportRows(db, maxRows) {
  const lines = async (sql) => {
    const stream = db.query(pgCopyStreams.to(sql));
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    return text.split('\n').filter(Boolean);
  };
  const ids = await db.query('SELECT min(id)::text AS lo FROM activity_events');
  const lo = ids.rows[0].lo;
  const where = `WHERE id < ${lo}::bigint + ${maxRows}`;
  const events = await lines(`COPY (SELECT * FROM activity_events ${where} ORDER BY id) TO STDOUT`);
  const payloads = await lines(`COPY (SELECT * FROM activity_payloads ${where} ORDER BY id) TO STDOUT`);
  const objects = (await db.query(`SELECT * FROM activity_events ${where} ORDER BY id`)).rows;
  const pobjects = (await db.query(`SELECT * FROM activity_payloads ${where} ORDER BY id`)).rows;
  const days = (await db.query(`SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date::text AS d FROM activity_events ${where}`)).rows.map((r) => r.d);
  return { events, payloads, objects, pobjects, days, bytes: events.reduce((a, l) => a + l.length, 0) + payloads.reduce((a, l) => a + l.length, 0) };
}

async function copyLines(client, sql, lines) {
  const stream = client.query(pgCopyStreams.from(sql));
  await new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(lines.join('\n') + '\n');
  });
}

/** Baseline (a): the same rows, COPY through one connection, one transaction per 1,000 rows. */
async function copyBaseline(base, exp) {
  await truncateActivity(base);
  await base.query('SELECT sylvite_ensure_activity_partition(d::date) FROM unnest($1::text[]) AS d', [exp.days]);
  const t0 = performance.now();
  for (let i = 0; i < exp.events.length; i += BATCH) {
    await base.query('BEGIN');
    await copyLines(base, 'COPY activity_events FROM STDIN', exp.events.slice(i, i + BATCH));
    await copyLines(base, 'COPY activity_payloads FROM STDIN', exp.payloads.slice(i, i + BATCH));
    await base.query('COMMIT');
  }
  const s = (performance.now() - t0) / 1000;
  return { rows: exp.events.length, seconds: s, rows_per_s: exp.events.length / s };
}

const col = (type, extra = {}) => ({ type, nullable: true, ...extra });
const EventEntity = new EntitySchema({
  name: 'BenchEvent',
  tableName: 'activity_events',
  columns: {
    id: { type: 'bigint', primary: true },
    occurred_at: { type: 'timestamptz', primary: true },
    received_at: col('timestamptz'),
    category: col('text'), event_type: col('text'), outcome: col('text'), tag: col('text'), minion_id: col('text'),
    jid: col('text'), fun: col('text'), initiator: col('text'), target: col('text'), target_type: col('text'),
    retcode: col('int'), success: col('boolean'), changes_count: col('int'), duration_ms: col('double precision'),
    minions: col('text', { array: true }), summary: col('text'), search_text: col('text'), dedupe_key: col('text'),
  },
});
const PayloadEntity = new EntitySchema({
  name: 'BenchPayload',
  tableName: 'activity_payloads',
  columns: {
    id: { type: 'bigint', primary: true },
    occurred_at: { type: 'timestamptz', primary: true },
    raw: col('text'), raw_size: col('int'), raw_truncated: col('boolean'), value_trimmed: col('boolean'),
  },
});

/**
 * Baseline (b): AWX's callback receiver pattern — events buffered and flushed as an ORM bulk
 * insert when 1,000 are waiting or 1 s has passed. Fed as fast as it takes them, it always
 * flushes 1,000.
 */
async function ormBaseline(ds, base, exp) {
  await truncateActivity(base);
  const t0 = performance.now();
  let buffer = [];
  let lastFlush = performance.now();
  const flush = async () => {
    const ids = new Set(buffer.map((e) => e.id));
    const payloads = exp.pobjects.filter((p) => ids.has(p.id));
    await ds.transaction(async (m) => {
      await m.insert(EventEntity, buffer);
      if (payloads.length) await m.insert(PayloadEntity, payloads);
    });
    buffer = [];
    lastFlush = performance.now();
  };
  for (const e of exp.objects) {
    buffer.push(e);
    if (buffer.length >= BATCH || performance.now() - lastFlush >= 1000) await flush();
  }
  if (buffer.length) await flush();
  const s = (performance.now() - t0) / 1000;
  return { rows: exp.objects.length, seconds: s, rows_per_s: exp.objects.length / s };
}

/** Checkpoints so far (requested + timed): a checkpoint's writes compete with every commit. */
async function checkpoints(db) {
  try {
    const r = await db.query('SELECT (num_timed + num_requested)::int AS n FROM pg_stat_checkpointer');
    return r.rows[0].n;
  } catch {
    const r = await db.query('SELECT (checkpoints_timed + checkpoints_req)::int AS n FROM pg_stat_bgwriter');
    return r.rows[0].n;
  }
}

/** `_stamp` → commit: the writer's NOTIFY for each batch marks when its rows became visible. */
async function latencyAtRate(pipe, db, listenUrl, eventsPerS, seconds) {
  const listener = await connect(listenUrl);
  const notices = [];
  listener.on('notification', (n) => {
    try {
      notices.push({ at: Date.now(), max: BigInt(JSON.parse(n.payload).max_id) });
    } catch {
      // not ours
    }
  });
  await listener.query('LISTEN sylvite_activity');
  const start = (await db.query('SELECT coalesce(max(id), 0)::text AS m FROM activity_events')).rows[0].m;
  const m0 = await pipe.metrics();
  const ckpt0 = await checkpoints(db);
  await pipe.sim.control('/_sim/rate', { rate: Math.max(1, Math.round(eventsPerS)) });
  const trace = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    await sleep(1000);
    const m = await pipe.metrics();
    trace.push({ rows: m.rows, queue: m.queue, lag_s: m.lag });
  }
  await pipe.sim.control('/_sim/rate', { rate: 0 });
  await sleep(1500);
  await listener.end();
  const m1 = await pipe.metrics();
  // Ordered by the bigint column: `ORDER BY id` would sort the text alias ('100000' < '99999').
  const rows = (await db.query('SELECT e.id::text AS id, e.occurred_at, e.received_at, e.event_type FROM activity_events e WHERE e.id > $1::bigint ORDER BY e.id', [start])).rows;
  const lat = [];
  const byType = {};
  let j = 0;
  for (const r of rows) {
    const id = BigInt(r.id);
    while (j < notices.length && notices[j].max < id) j++;
    if (j >= notices.length) break;
    const ms = notices[j].at - r.occurred_at.getTime();
    lat.push(ms);
    (byType[r.event_type] ??= { n: 0, sum: 0, max: 0, recv_max: 0 }).n++;
    byType[r.event_type].sum += ms;
    byType[r.event_type].max = Math.max(byType[r.event_type].max, ms);
    byType[r.event_type].recv_max = Math.max(byType[r.event_type].recv_max, r.received_at - r.occurred_at);
  }
  return {
    rows: rows.length, matched: lat.length, events_per_s: Math.round(eventsPerS), latency_ms: summarize(lat), dropped: m1.dropped - m0.dropped,
    checkpoints: (await checkpoints(db)) - ckpt0, trace, by_type: byType,
  };
}

export async function run(ctx) {
  const quick = ctx.quick;
  const rounds = quick ? 2 : 3;
  const baselineRows = quick ? 8_000 : 25_000;
  const url = await ctx.newDatabase('bench_ingest');
  const baseUrl = await ctx.newDatabase('bench_ingest_base');
  const db = await connect(url);
  const base = await connect(baseUrl);
  ctx.local.push(() => db.end(), () => base.end());
  const ds = new DataSource({ type: 'postgres', url: baseUrl, entities: [EventEntity, PayloadEntity], synchronize: false, logging: false, extra: { max: 2, application_name: 'bench-orm' } });
  await ds.initialize();
  ctx.local.push(() => ds.destroy());
  const pipe = await startPipeline(ctx, url, 'b1');

  const trials = [];
  for (let r = 0; r < rounds; r++) {
    await truncateActivity(db);
    await sleep(500);
    const c0 = await cpuSnapshot(pipe, db);
    const p = await rampToCeiling(pipe, { start: r === 0 ? 800 : Math.max(800, trials[0].pipeline.rows_per_s * 0.45), stepMs: quick ? 2000 : 3000 });
    p.cpu = cpuShare(c0, await cpuSnapshot(pipe, db));
    const exp = await exportRows(db, baselineRows);
    const a = await copyBaseline(base, exp);
    const b = await ormBaseline(ds, base, exp);
    trials.push({ pipeline: p, copy: a, orm: b, payload_bytes_per_row: Math.round(exp.bytes / exp.events.length) });
    ctx.log(
      `B1 round ${r + 1}: pipeline ${fmtNum(p.rows_per_s)} rows/s (${p.stopped_because}; ${p.steps.map((x) => `${x.offered}→${x.committed}`).join(' ')}; ` +
        `api ${p.cpu.api_cores} sim ${p.cpu.sim_cores} pg-writer ${p.cpu.pg_writer_cores} cores); COPY ${fmtNum(a.rows_per_s)}; ORM ${fmtNum(b.rows_per_s)} rows/s`,
    );
  }
  const ceiling = median(trials.map((t) => t.pipeline.rows_per_s));
  ctx.shared.ingestCeiling = ceiling;
  const half = ceiling / 2;
  const lat = await latencyAtRate(pipe, db, url, half * EVENTS_PER_ROW, quick ? 15 : 45);
  ctx.log(`B1 latency at ${fmtNum(half)} rows/s: p50 ${fmtNum(lat.latency_ms.p50)} p99 ${fmtNum(lat.latency_ms.p99)} max ${fmtNum(lat.latency_ms.max)} ms over ${lat.matched} rows`);

  const vsCopy = ratioOf(trials.map((t) => t.pipeline.rows_per_s / t.copy.rows_per_s));
  const vsOrm = ratioOf(trials.map((t) => t.pipeline.rows_per_s / t.orm.rows_per_s));
  const dropped = trials.reduce((a, t) => a + t.pipeline.dropped, 0);
  const lost = trials.reduce((a, t) => a + t.pipeline.reconnects + t.pipeline.sim_dropped_slow, 0);
  const bytes = median(trials.map((t) => t.payload_bytes_per_row));
  const rows = [
    row('B1', `ingest ceiling vs COPY (${fmtNum(bytes, 0)} B/row)`, {
      measured: `${fmtNum(ceiling)} rows/s${dropped ? `, ${dropped} dropped` : ''}${lost ? `, stream lost ${lost}×` : ''}`,
      baseline: `COPY ${fmtNum(median(trials.map((t) => t.copy.rows_per_s)))} rows/s`,
      ratio: vsCopy,
      goal: '≥ 0.6× COPY',
      ok: vsCopy ? vsCopy.median >= 0.6 : null,
    }),
    row('B1', 'ingest ceiling vs AWX-style ORM', {
      measured: `${fmtNum(ceiling)} rows/s`,
      baseline: `ORM 1 s/1k ${fmtNum(median(trials.map((t) => t.orm.rows_per_s)))} rows/s`,
      ratio: vsOrm,
      goal: '≥ 2.5× ORM',
      ok: vsOrm ? vsOrm.median >= 2.5 : null,
    }),
    row('B1', `_stamp → commit at ½ ceiling (${fmtNum(half)}/s)`, {
      measured: `p50 ${fmtNum(lat.latency_ms.p50)} / p99 ${fmtNum(lat.latency_ms.p99)} ms`,
      baseline: `${lat.matched} rows, ${lat.dropped} dropped`,
      goal: 'p99 < 500 ms',
      ok: lat.latency_ms.p99 !== null ? lat.latency_ms.p99 < 500 && lat.dropped === 0 : null,
    }),
  ];
  return { rows, trials, ceiling_rows_per_s: ceiling, latency: lat };
}
