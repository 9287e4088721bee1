// B6 — retention: dropping a day (the product's statements: DETACH + DROP of both day partitions
// in one transaction under the partition lock, then its dedupe-ledger cleanup) against DELETE +
// VACUUM of a day of the same size, alternating days; time, WAL bytes (pg_current_wal_lsn), space,
// and how long concurrent single-row inserts into today's partition stall meanwhile.
import { feedDatabase } from './b4-feed.mjs';
import { connect, sleep, walBytesSince, walLsn } from './lib/pg.mjs';
import { row } from './lib/report.mjs';
import { fmtBytes, fmtNum, median, ratioOf, summarize } from './lib/stats.mjs';

/** Single-row inserts into today's partition every 10 ms; returns each insert's start and latency. */
function inserter(c) {
  let stop = false;
  const log = [];
  const done = (async () => {
    let i = 0;
    while (!stop) {
      const t = performance.now();
      await c.query(
        `INSERT INTO activity_events (occurred_at, category, event_type, outcome, tag, summary, search_text, dedupe_key)
         VALUES (now(), 'job', 'job.ret', 'ok', 'salt/job/1/ret/b6', 'b6 insert', 'b6 insert', $1)`,
        [`b6:${process.pid}:${i++}:${Date.now()}`],
      );
      log.push({ at: t, ms: performance.now() - t });
      await sleep(10);
    }
  })();
  return {
    log,
    async end() {
      stop = true;
      await done;
    },
  };
}

async function daySize(c, suffix) {
  const r = await c.query(
    `SELECT coalesce(sum(pg_total_relation_size(oid)), 0)::bigint AS n FROM pg_class WHERE relname IN ($1, $2)`,
    [`activity_events_${suffix}`, `activity_payloads_${suffix}`],
  );
  return Number(r.rows[0].n);
}

/** Runs `op` with the inserter going; time, WAL (minus the inserter's own rate) and stall. */
async function measured(c, ins, walPerMs, op) {
  const lsn = await walLsn(c);
  const t0 = performance.now();
  const parts = await op();
  const t1 = performance.now();
  const wal = await walBytesSince(c, lsn);
  const during = ins.log.filter((x) => x.at + x.ms >= t0 && x.at <= t1);
  return {
    ms: t1 - t0,
    parts,
    wal_bytes: Math.max(0, Math.round(wal - walPerMs * (t1 - t0))),
    insert_stall_ms: during.length ? Math.max(...during.map((x) => x.ms)) : 0,
  };
}

export async function run(ctx) {
  const rounds = ctx.quick ? 2 : 3;
  const feed = await feedDatabase(ctx);
  const c = await connect(feed.url);
  const side = await connect(feed.url);
  ctx.local.push(() => c.end(), () => side.end());

  // Whole days, oldest first (the first generated day is partial).
  const parts = (
    await c.query(
      `SELECT substring(c.relname from '(\\d{8})$') AS suffix FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'activity_events'::regclass ORDER BY 1`,
    )
  ).rows.map((r) => r.suffix);
  const days = parts.slice(1, 1 + 2 * rounds);
  const iso = (s) => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  ctx.log(`B6: payloads (1 KB) and dedupe keys for ${days.length} days`);
  for (const d of days) {
    await c.query(
      `INSERT INTO activity_payloads (id, occurred_at, raw, raw_size)
       SELECT id, occurred_at, r, length(r) FROM (
         SELECT id, occurred_at, repeat('{"pkg_|-nginx_|-nginx_|-installed": {"result": true, "comment": "All specified packages are already installed ' || (id % 97) || '"}}, ', 8) AS r
           FROM activity_events WHERE occurred_at >= $1::date AND occurred_at < $1::date + 1) x`,
      [iso(d)],
    );
  }
  const dropDays = days.filter((_, i) => i % 2 === 0);
  const deleteDays = days.filter((_, i) => i % 2 === 1);
  for (const d of dropDays) {
    await c.query(`INSERT INTO activity_dedupe (dedupe_key, occurred_at) SELECT dedupe_key, occurred_at FROM activity_events WHERE occurred_at >= $1::date AND occurred_at < $1::date + 1 ON CONFLICT DO NOTHING`, [iso(d)]);
  }
  const rowsPerDay = Number((await c.query(`SELECT count(*)::bigint AS n FROM activity_events WHERE occurred_at >= $1::date AND occurred_at < $1::date + 1`, [iso(days[0])])).rows[0].n);
  // After a checkpoint, as in production: the first change to each page writes a full page image.
  await c.query('CHECKPOINT');

  const ins = inserter(side);
  await sleep(1000);
  const lsn = await walLsn(c);
  const tw = performance.now();
  await sleep(1000);
  const walPerMs = (await walBytesSince(c, lsn)) / (performance.now() - tw);
  const calm = summarize(ins.log.map((x) => x.ms));

  const drops = [];
  const deletes = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const d = dropDays[r];
      const sizeD = await daySize(c, d);
      const drop = await measured(c, ins, walPerMs, async () => {
        // retention.ts: one short transaction per day under the partition creators' lock.
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(727100)');
        for (const parent of ['activity_events', 'activity_payloads']) {
          await c.query(`ALTER TABLE ${parent} DETACH PARTITION ${parent}_${d}`);
          await c.query(`DROP TABLE ${parent}_${d}`);
        }
        await c.query('COMMIT');
      });
      const dedupe = await measured(c, ins, walPerMs, async () => {
        let n = 0;
        for (;;) {
          const x = await c.query(
            `DELETE FROM activity_dedupe WHERE dedupe_key IN (SELECT dedupe_key FROM activity_dedupe WHERE occurred_at < $1::date LIMIT 5000)`,
            [iso(dropDays[r + 1] ?? deleteDays[r])],
          );
          n += x.rowCount ?? 0;
          if ((x.rowCount ?? 0) < 5000) break;
        }
        return n;
      });
      drops.push({ day: d, bytes_freed: sizeD, ...drop, dedupe });

      const e = deleteDays[r];
      const sizeE = await daySize(c, e);
      const del = await measured(c, ins, walPerMs, async () => {
        const t = performance.now();
        await c.query(`DELETE FROM activity_events WHERE occurred_at >= $1::date AND occurred_at < $1::date + 1`, [iso(e)]);
        await c.query(`DELETE FROM activity_payloads WHERE occurred_at >= $1::date AND occurred_at < $1::date + 1`, [iso(e)]);
        const deleteMs = performance.now() - t;
        await c.query(`VACUUM activity_events_${e}, activity_payloads_${e}`);
        return { delete_ms: deleteMs, vacuum_ms: performance.now() - t - deleteMs };
      });
      deletes.push({ day: e, size_before: sizeE, size_after: await daySize(c, e), ...del });
      ctx.log(
        `B6 round ${r + 1}: drop ${fmtNum(drop.ms)} ms ${fmtBytes(drop.wal_bytes)} WAL stall ${fmtNum(drop.insert_stall_ms)} ms (+ dedupe ${fmtNum(dedupe.ms)} ms ${fmtBytes(dedupe.wal_bytes)}); ` +
          `delete ${fmtNum(del.parts.delete_ms)} + vacuum ${fmtNum(del.parts.vacuum_ms)} ms ${fmtBytes(del.wal_bytes)} WAL stall ${fmtNum(del.insert_stall_ms)} ms`,
      );
    }
  } finally {
    await ins.end();
  }

  const ratioTime = ratioOf(drops.map((d, i) => d.ms / deletes[i].ms));
  const ratioWal = ratioOf(drops.map((d, i) => d.wal_bytes / Math.max(1, deletes[i].wal_bytes)));
  const dropMs = median(drops.map((d) => d.ms));
  const dropWal = median(drops.map((d) => d.wal_bytes));
  const stall = Math.max(...drops.map((d) => d.insert_stall_ms));
  const rows = [
    row('B6', `drop a day (${fmtNum(rowsPerDay, 0)} rows + 1 KB payloads)`, {
      measured: `${fmtNum(dropMs)} ms, ${fmtBytes(dropWal)} WAL, frees ${fmtBytes(median(drops.map((d) => d.bytes_freed)))}`,
      baseline: `DELETE+VACUUM ${fmtNum(median(deletes.map((d) => d.ms)))} ms, ${fmtBytes(median(deletes.map((d) => d.wal_bytes)))} WAL`,
      ratio: ratioTime,
      goal: '< 1 s, < 1 MB WAL',
      ok: dropMs < 1000 && dropWal < 1024 * 1024,
    }),
    row('B6', 'drop a day: WAL vs DELETE+VACUUM', { measured: fmtBytes(dropWal), baseline: fmtBytes(median(deletes.map((d) => d.wal_bytes))), ratio: ratioWal, goal: 'informational' }),
    row('B6', 'inserts during the drop', {
      measured: `max ${fmtNum(stall)} ms`,
      baseline: `calm p99 ${fmtNum(calm.p99)} ms; during DELETE max ${fmtNum(Math.max(...deletes.map((d) => d.insert_stall_ms)))} ms`,
      goal: 'stall < 100 ms',
      ok: stall < 100,
    }),
    row('B6', "the dropped day's dedupe keys", {
      measured: `${fmtNum(median(drops.map((d) => d.dedupe.ms)))} ms, ${fmtBytes(median(drops.map((d) => d.dedupe.wal_bytes)))} WAL`,
      baseline: `${fmtNum(median(drops.map((d) => d.dedupe.parts)), 0)} keys deleted in 5k batches`,
      goal: 'informational (not partitioned)',
    }),
    row('B6', 'space after DELETE+VACUUM', {
      measured: `${fmtBytes(median(deletes.map((d) => d.size_after)))} kept`,
      baseline: `of ${fmtBytes(median(deletes.map((d) => d.size_before)))}`,
      goal: 'informational',
    }),
  ];
  return { rows, drops, deletes, calm_insert: calm, rows_per_day: rowsPerDay };
}
