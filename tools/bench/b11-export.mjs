// B11 — the audit export in bounded memory (issue 8): 1M audit rows of the feed database streamed
// through `GET /api/audit/export?format=ndjson`, the api's RSS sampled every 50 ms. Baseline in the
// same run, alternating: the same export narrowed to 10k rows. Memory is bounded when exporting a
// hundred times the rows does not raise the api's peak RSS.
import http from 'node:http';
import { feedDatabase } from './b4-feed.mjs';
import { ApiClient } from './lib/http.mjs';
import { connect } from './lib/pg.mjs';
import { ADMIN, rssOf, startApi } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtBytes, fmtNum, ratioOf } from './lib/stats.mjs';

const BIG = 1_000_000;
const SMALL = 10_000;
const PEAK_GOAL = 1.25;

/** The `at` of the n-th newest audit row: exporting `since` it gives about n rows. */
async function sinceFor(c, n) {
  const r = await c.query('SELECT at FROM audit_log ORDER BY at DESC, id DESC OFFSET $1 LIMIT 1', [n - 1]);
  return r.rows[0] ? r.rows[0].at.toISOString() : null;
}

/** One export read to the end as fast as the client can; the api's RSS sampled meanwhile. */
async function exportOnce(api, client, format, since) {
  const url = new URL(api.url);
  const query = new URLSearchParams({ format, ...(since ? { since } : {}) });
  const rssBefore = rssOf(api.pid);
  let peak = rssBefore;
  const timer = setInterval(() => {
    const r = rssOf(api.pid);
    if (r !== null && r > peak) peak = r;
  }, 50);
  const t0 = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const status = await new Promise((resolve, reject) => {
      const req = http.get({ host: url.hostname, port: url.port, path: `/api/audit/export?${query}`, headers: client.authHeaders() }, (res) => {
        res.on('data', (chunk) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    if (status !== 200) throw new Error(`export answered ${status}`);
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { format, rows: format === 'ndjson' ? lines : lines - 1, bytes, seconds, rows_per_s: lines / seconds, rss_before: rssBefore, rss_peak: peak };
}

export async function run(ctx) {
  const feed = await feedDatabase(ctx);
  const api = await startApi(ctx, { databaseUrl: feed.url, label: 'b11' });
  ctx.local.push(() => api.stop());
  const client = await ApiClient.signedIn(api.url, ADMIN.username, ADMIN.password);
  ctx.local.push(async () => client.close());
  const c = await connect(feed.url);
  ctx.local.push(() => c.end());
  const total = Number((await c.query('SELECT count(*)::bigint AS n FROM audit_log')).rows[0].n);
  const bigSince = total > BIG ? await sinceFor(c, BIG) : null;
  const smallSince = await sinceFor(c, SMALL);

  // A warm-up export: the first request pays for code loading and pool connections on either side.
  await exportOnce(api, client, 'ndjson', smallSince);
  const rounds = ctx.quick ? 2 : 3;
  const A = [];
  const B = [];
  for (let r = 0; r < rounds; r++) {
    A.push(await exportOnce(api, client, 'ndjson', bigSince));
    B.push(await exportOnce(api, client, 'ndjson', smallSince));
    ctx.log(
      `B11 round ${r + 1}: ${fmtNum(A[r].rows, 0)} rows in ${fmtNum(A[r].seconds)} s, peak RSS ${fmtBytes(A[r].rss_peak)}; ` +
        `${fmtNum(B[r].rows, 0)} rows: peak RSS ${fmtBytes(B[r].rss_peak)}`,
    );
  }
  // CSV takes the same path with another encoder: once, and only in a full run.
  const csv = ctx.quick ? null : await exportOnce(api, client, 'csv', bigSince);
  if (csv) ctx.log(`B11 csv: ${fmtNum(csv.rows, 0)} rows in ${fmtNum(csv.seconds)} s, peak RSS ${fmtBytes(csv.rss_peak)}`);

  const ratio = ratioOf(A.map((a, i) => a.rss_peak / B[i].rss_peak));
  const worst = A.reduce((m, a) => (a.rss_peak - a.rss_before > m.rss_peak - m.rss_before ? a : m));
  const complete = A.every((a) => a.rows >= Math.min(total, BIG));
  const rows = [
    row('B11', `audit export, ${fmtNum(A[0].rows, 0)} rows (ndjson)`, {
      measured: `peak RSS ${fmtBytes(Math.max(...A.map((a) => a.rss_peak)))} (+${fmtBytes(worst.rss_peak - worst.rss_before)}), ${fmtBytes(A[0].bytes)} sent at ${fmtNum(A[0].rows_per_s)} rows/s`,
      baseline: `${fmtNum(B[0].rows, 0)} rows: peak RSS ${fmtBytes(Math.max(...B.map((b) => b.rss_peak)))}`,
      ratio,
      goal: `peak RSS ≤ ${PEAK_GOAL}× the small export's; every row`,
      ok: ratio.median !== null && ratio.median <= PEAK_GOAL && complete,
    }),
  ];
  if (csv) {
    rows.push(row('B11', `audit export, ${fmtNum(csv.rows, 0)} rows (csv)`, {
      measured: `peak RSS ${fmtBytes(csv.rss_peak)} (+${fmtBytes(csv.rss_peak - csv.rss_before)}), ${fmtBytes(csv.bytes)} at ${fmtNum(csv.rows_per_s)} rows/s`,
      goal: 'informational',
    }));
  }
  return { rows, total_audit_rows: total, ndjson: A, small: B, csv };
}
