// B4 — the feed: /api/activity and /api/audit at 1M (quick) / 10M rows. Each query is timed
// through the api and as the very SQL the api ran (captured from the server log) straight
// through `pg`, in alternating rounds; keyset depth pages also against OFFSET at the same depth.
import { loadFeedData, TERMS } from './b4-data.mjs';
import {
  apiPage, captureQueries, cursorAt, planShape, replay, sample, signInUsers,
} from './lib/feed.mjs';
import { connect } from './lib/pg.mjs';
import { startApi } from './lib/procs.mjs';
import { row } from './lib/report.mjs';
import { fmtNum, ratioOf, summarize } from './lib/stats.mjs';

const LIMIT = 50;
const FIRST_KEYSET_GOAL = 25;
const SEARCH_GOAL = 150;
const API_SQL_GOAL = 1.5;

/** The feed database for B4, B5 and B6: made once per run. */
export async function feedDatabase(ctx) {
  if (ctx.shared.feed) return ctx.shared.feed;
  const url = await ctx.newDatabase('bench_feed');
  const c = await connect(url);
  try {
    ctx.log(`B4: loading ${ctx.rows} activity rows and ${ctx.rows} audit rows`);
    const data = await loadFeedData(c, { n: ctx.rows, auditRows: ctx.rows, log: ctx.log });
    ctx.shared.feed = { url, data };
    return ctx.shared.feed;
  } finally {
    await c.end();
  }
}

/** The query set; `depths` are keyset cursors computed from the data. */
export async function feedQueries(c, users, n) {
  const cur = {};
  // A walk's cursors carry the total its first page reported (cursor.ts): past 10,000 rows, the
  // bound. Deep pages then repeat it instead of counting, as they do for the console.
  const carried = n > 10_000 ? '|~10000' : '';
  for (const [k, f] of [['d1', 0.01], ['d50', 0.5], ['d99', 0.99]]) {
    const offset = Math.floor(n * f);
    cur[k] = { offset, cursor: (await cursorAt(c, 'activity_events', offset)) + carried };
  }
  const auditMid = { offset: Math.floor(n * 0.5), cursor: (await cursorAt(c, 'audit_log', Math.floor(n * 0.5))) + carried };
  const a = (extra = '') => `/api/activity?limit=${LIMIT}${extra}`;
  const enc = encodeURIComponent;
  return [
    // No feed SQL: what any guarded request costs (session, grants, logging) before its own query.
    { id: 'overhead', what: 'guarded GET without a query (widget-config)', client: users.admin, path: '/api/activity/widget-config', goal: 'first' },
    { id: 'first', what: 'activity first page', client: users.admin, path: a(), goal: 'first' },
    { id: 'keyset1', what: 'activity keyset at 1%', client: users.admin, path: a(`&before_cursor=${enc(cur.d1.cursor)}`), goal: 'first', offset: cur.d1.offset },
    { id: 'keyset50', what: 'activity keyset at 50%', client: users.admin, path: a(`&before_cursor=${enc(cur.d50.cursor)}`), goal: 'first', offset: cur.d50.offset },
    { id: 'keyset99', what: 'activity keyset at 99%', client: users.admin, path: a(`&before_cursor=${enc(cur.d99.cursor)}`), goal: 'first', offset: cur.d99.offset },
    { id: 'scope_keys', what: 'scope: view:key:* only', client: users.keys, path: a(), goal: 'first' },
    { id: 'scope_web', what: 'scope: view:job:web-*', client: users.web, path: a(), goal: 'first' },
    { id: 'scope_one', what: 'scope: one minion (web-04242*)', client: users.one, path: a(), goal: 'search' },
    { id: 'hide_routine', what: 'hide_routine=true', client: users.admin, path: a('&hide_routine=true'), goal: 'first' },
    { id: 'search_common', what: `search common "${TERMS.common}"`, client: users.admin, path: a(`&search=${enc(TERMS.common)}`), goal: 'search' },
    { id: 'search_selective', what: `search selective "${TERMS.selective}"`, client: users.admin, path: a(`&search=${enc(TERMS.selective)}`), goal: 'search' },
    { id: 'search_none', what: `search none "${TERMS.none}"`, client: users.admin, path: a(`&search=${enc(TERMS.none)}`), goal: 'search' },
    { id: 'search_rare_old', what: `search rare+old "${TERMS.rareOld}"`, client: users.admin, path: a(`&search=${enc(TERMS.rareOld)}`), goal: 'search' },
    { id: 'search_2ch', what: `search 2 chars "${TERMS.twoChars}"`, client: users.admin, path: a(`&search=${enc(TERMS.twoChars)}`), goal: 'search' },
    { id: 'audit_first', what: 'audit first page', client: users.admin, path: `/api/audit?limit=${LIMIT}`, goal: 'first' },
    { id: 'audit_prefix', what: 'audit action_prefix=key.', client: users.admin, path: `/api/audit?limit=${LIMIT}&action_prefix=key.`, goal: 'first' },
    {
      id: 'audit_keyset50', what: 'audit keyset at 50%', client: users.admin,
      path: `/api/audit?limit=${LIMIT}&before_cursor=${enc(auditMid.cursor)}`, goal: 'first', offset: auditMid.offset,
    },
  ];
}

/**
 * Times every query A (api) against B (its SQL via pg), alternating rounds; returns per-query
 * results `{ api, sql, ratio_p99, ratio_p50, failures, plan }`.
 */
export async function measureQueries(ctx, sqlClient, queries, plans, { rounds, n, budgetMs, label = 'B4' }) {
  const out = {};
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i];
    const plan = plans[i];
    const res = {
      what: q.what, path: q.path, api: [], sql: [], failures: [], ratios_p99: [], ratios_p50: [],
      sql_statements: plan?.length ?? 0, other_statements: plan?.others ?? [],
    };
    out[q.id] = res;
    if (plan) res.plan = await planShape(sqlClient, plan.find((s) => /^\s*(SELECT|WITH)/i.test(s.sql)));
    // Warm both paths (plan cache, buffers) the same way.
    for (let w = 0; w < 2; w++) {
      await apiPage(q.client, q.path).catch(() => undefined);
      if (plan) await replay(sqlClient, plan).catch(() => undefined);
    }
    for (let r = 0; r < rounds; r++) {
      const A = await sample(() => apiPage(q.client, q.path), { n, budgetMs });
      res.api.push(...A.ms);
      res.failures.push(...A.failures);
      if (!plan) continue;
      const B = await sample(() => replay(sqlClient, plan), { n, budgetMs });
      res.sql.push(...B.ms);
      const a = summarize(A.ms);
      const b = summarize(B.ms);
      res.ratios_p99.push(a.p99 / b.p99);
      res.ratios_p50.push(a.p50 / b.p50);
    }
    // Each feed statement alone (page, count): where the SQL side's time goes.
    if (plan) {
      res.statements = [];
      for (const st of plan.filter((x) => /^\s*(SELECT|WITH)/i.test(x.sql))) {
        const t = await sample(() => sqlClient.query({ text: st.sql, values: st.params }), { n: 5, budgetMs: 1000, min: 1 });
        res.statements.push({ kind: /count\(\*\)/i.test(st.sql) ? 'count' : 'page', p50_ms: summarize(t.ms).p50 });
      }
    }
    res.api_summary = summarize(res.api);
    res.sql_summary = summarize(res.sql);
    res.ratio_p99 = ratioOf(res.ratios_p99);
    res.ratio_p50 = ratioOf(res.ratios_p50);
    res.failures = [...new Set(res.failures)];
    delete res.api;
    delete res.sql;
    ctx.log(
      `${label} ${q.id}: api p50 ${fmtNum(res.api_summary.p50)} p99 ${fmtNum(res.api_summary.p99)} ms; sql p50 ${fmtNum(res.sql_summary.p50)} p99 ${fmtNum(res.sql_summary.p99)} ms` +
        (res.failures.length ? `; failures: ${res.failures[0]}` : ''),
    );
  }
  return out;
}

/** OFFSET at the keyset pages' depths: the first page's captured SQL with the offset changed. */
async function measureOffset(ctx, sqlClient, queries, plans, results, { rounds, n, budgetMs }) {
  const firstPlan = plans[queries.findIndex((q) => q.id === 'first')];
  const page = firstPlan?.find((s) => /OFFSET \$\d+/i.test(s.sql));
  if (!page) return {};
  const offsetParam = Number(/OFFSET \$(\d+)/i.exec(page.sql)[1]) - 1;
  const out = {};
  for (const q of queries.filter((x) => x.id.startsWith('keyset'))) {
    const params = [...page.params];
    params[offsetParam] = String(q.offset);
    const st = { sql: page.sql, params };
    const ms = [];
    const ratios = [];
    await sqlClient.query({ text: st.sql, values: st.params });
    for (let r = 0; r < rounds; r++) {
      // The keyset side of this ratio is re-measured here, in the same alternation.
      const A = await sample(() => apiPage(q.client, q.path), { n, budgetMs });
      const B = await sample(() => sqlClient.query({ text: st.sql, values: st.params }), { n: Math.max(3, Math.floor(n / 3)), budgetMs });
      ms.push(...B.ms);
      ratios.push(summarize(A.ms).p99 / summarize(B.ms).p99);
    }
    out[q.id] = { offset: q.offset, sql_summary: summarize(ms), ratio_p99: ratioOf(ratios) };
    ctx.log(`B4 OFFSET ${q.offset}: p50 ${fmtNum(out[q.id].sql_summary.p50)} p99 ${fmtNum(out[q.id].sql_summary.p99)} ms`);
  }
  return out;
}

export function goalFor(kind) {
  return kind === 'search' ? SEARCH_GOAL : FIRST_KEYSET_GOAL;
}

export async function run(ctx) {
  const feed = await feedDatabase(ctx);
  const api = await startApi(ctx, { databaseUrl: feed.url, label: 'b4' });
  ctx.local.push(() => api.stop());
  const users = await signInUsers(api.url);
  const sqlClient = await connect(feed.url);
  ctx.local.push(() => sqlClient.end());
  const queries = await feedQueries(sqlClient, users, ctx.rows);
  const plans = await captureQueries(ctx.cluster, feed.url, queries);
  const missing = queries.filter((q, i) => !plans[i] && q.id !== 'overhead').map((q) => q.id);
  if (missing.length) ctx.log(`B4: no SQL captured for ${missing.join(', ')} (their SQL baseline is missing)`);
  const opts = ctx.quick ? { rounds: 3, n: 15, budgetMs: 1500 } : { rounds: 5, n: 40, budgetMs: 5000 };
  const results = await measureQueries(ctx, sqlClient, queries, plans, opts);
  const offsets = await measureOffset(ctx, sqlClient, queries, plans, results, { ...opts, rounds: ctx.quick ? 2 : 3 });

  const scale = `${fmtNum(ctx.rows, 0)} rows`;
  const rows = [];
  for (const q of queries) {
    const r = results[q.id];
    const limit = goalFor(q.goal);
    const p99 = r.api_summary.p99;
    const failed = r.failures.length > 0;
    const okLatency = !failed && p99 !== null && p99 < limit;
    const okRatio = r.ratio_p99 ? r.ratio_p99.median <= API_SQL_GOAL : null;
    rows.push(
      row('B4', `${q.what} (${scale})`, {
        measured: failed ? `FAILED: ${r.failures[0]}` : `api p50 ${fmtNum(r.api_summary.p50)} / p99 ${fmtNum(p99)} ms`,
        baseline: r.sql_summary.n ? `sql p50 ${fmtNum(r.sql_summary.p50)} / p99 ${fmtNum(r.sql_summary.p99)} ms` : q.id === 'overhead' ? 'no feed SQL' : 'no SQL captured',
        ratio: r.ratio_p99,
        goal: `p99 < ${limit} ms, api/sql ≤ ${API_SQL_GOAL}×`,
        ok: okRatio === null ? okLatency : okLatency && okRatio,
      }),
    );
  }
  for (const [id, o] of Object.entries(offsets)) {
    const k = results[id];
    rows.push(
      row('B4', `keyset vs OFFSET ${fmtNum(o.offset, 0)} (${scale})`, {
        measured: `keyset api p99 ${fmtNum(k.api_summary.p99)} ms`,
        baseline: `OFFSET sql p50 ${fmtNum(o.sql_summary.p50)} / p99 ${fmtNum(o.sql_summary.p99)} ms`,
        ratio: o.ratio_p99,
        goal: 'keyset ≪ OFFSET',
        ok: o.ratio_p99 ? o.ratio_p99.median < 1 : null,
      }),
    );
  }
  return { rows, data: feed.data, queries: results, offsets };
}
