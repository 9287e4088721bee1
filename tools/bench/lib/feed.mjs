// Shared by B4 and B5: users with narrower grants, keyset cursors at a depth, the captured SQL of
// each api request and its replay through `pg`, and a timed A/B loop.
import { ApiClient } from './http.mjs';
import { captureStatements, connect } from './pg.mjs';
import { ADMIN } from './procs.mjs';

export const SCOPED_USERS = [
  { key: 'keys', role: 'bench-keys', permissions: ['view:key:*'] },
  { key: 'web', role: 'bench-web', permissions: ['view:job:web-*'] },
  { key: 'one', role: 'bench-one', permissions: ['view:job:web-04242*'] },
];
const USER_PASSWORD = 'bench-user-password-1';

/** Signs in the admin and one user per scoped role. */
export async function signInUsers(apiUrl) {
  const admin = await ApiClient.signedIn(apiUrl, ADMIN.username, ADMIN.password);
  const users = { admin };
  for (const u of SCOPED_USERS) {
    let r = await admin.post('/api/roles', { name: u.role, permissions: u.permissions });
    if (r.status !== 201 && r.status !== 200 && r.status !== 409) throw new Error(`create role ${u.role}: ${r.status} ${r.text}`);
    r = await admin.post('/api/users', { username: u.role, password: USER_PASSWORD, roles: [u.role] });
    if (r.status !== 201 && r.status !== 200 && r.status !== 409) throw new Error(`create user ${u.role}: ${r.status} ${r.text}`);
    users[u.key] = await ApiClient.signedIn(apiUrl, u.role, USER_PASSWORD);
  }
  return users;
}

const ISO_US = (col) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** `<iso>|<id>` of the row at `offset` newest-first: a before_cursor that starts a page there. */
export async function cursorAt(c, table, offset) {
  const col = table === 'audit_log' ? 'at' : 'occurred_at';
  const r = await c.query(`SELECT ${ISO_US(`t.${col}`)} AS at, t.id::text AS id FROM ${table} t ORDER BY t.${col} DESC, t.id DESC OFFSET $1 LIMIT 1`, [offset]);
  if (!r.rows[0]) throw new Error(`no row at offset ${offset} of ${table}`);
  return `${r.rows[0].at}|${r.rows[0].id}`;
}

const FEED_SELECT = /^\s*(SELECT|WITH)\b[\s\S]*\bFROM\s+(activity_events|audit_log)\s+[ae]\b/i;
const TX = /^(START TRANSACTION|BEGIN|SET LOCAL|COMMIT|ROLLBACK)/i;
const isFeed = (sql) => FEED_SELECT.test(sql) && !/\b(INSERT|UPDATE|DELETE)\b|FOR UPDATE/i.test(sql);

/**
 * From the statements an api request produced, the ones that read the feed (and the
 * transaction around them): what "the same SQL straight through pg" replays. The request's other
 * statements (session lookup, settings) are the api's own overhead and stay out of the baseline.
 */
export function replayPlan(entries) {
  const first = entries.find((e) => isFeed(e.sql));
  if (!first) return null;
  const mine = entries.filter((e) => e.pid === first.pid);
  let lo = mine.indexOf(first);
  while (lo > 0 && TX.test(mine[lo - 1].sql) && !/^(COMMIT|ROLLBACK)/i.test(mine[lo - 1].sql)) lo--;
  let hi = mine.length - 1;
  while (hi > lo && !isFeed(mine[hi].sql)) hi--;
  if (mine[hi + 1] && /^(COMMIT|ROLLBACK)/i.test(mine[hi + 1].sql)) hi++;
  return mine.slice(lo, hi + 1).filter((e) => isFeed(e.sql) || TX.test(e.sql));
}

/**
 * Calls every query once with the server logging statements, and returns each query's replay
 * plan. A marker statement from a connection named like the api's separates the queries.
 */
export async function captureQueries(cluster, dbUrl, queries) {
  const marker = await connect(dbUrl, 'sylvite');
  try {
    const entries = await captureStatements(cluster, async () => {
      for (let i = 0; i < queries.length; i++) {
        const q = queries[i];
        await q.client.get(q.path);
        await new Promise((r) => setTimeout(r, 60));
        await marker.query(`SELECT 'bench-marker-${i}'`);
      }
    });
    const plans = [];
    let part = [];
    for (const e of entries) {
      const m = /^SELECT 'bench-marker-(\d+)'$/.exec(e.sql);
      if (m) {
        const plan = replayPlan(part);
        // Everything else the request ran (auth, settings, audit): the api's own share.
        if (plan) plan.others = part.filter((x) => !plan.includes(x)).map((x) => x.sql.replace(/\s+/g, ' ').slice(0, 90));
        plans[Number(m[1])] = plan;
        part = [];
      } else part.push(e);
    }
    return plans;
  } finally {
    await marker.end();
  }
}

export async function replay(c, plan) {
  let rows = 0;
  for (const st of plan) {
    const r = st.params.length ? await c.query({ text: st.sql, values: st.params }) : await c.query(st.sql);
    if (FEED_SELECT.test(st.sql) && rows === 0) rows = r.rowCount ?? 0;
  }
  return rows;
}

/** The plan shape of a statement: node types down the first-child chain (for the JSON report). */
export async function planShape(c, st) {
  try {
    const r = await c.query({ text: `EXPLAIN (FORMAT JSON) ${st.sql}`, values: st.params });
    const out = [];
    let node = r.rows[0]['QUERY PLAN'][0].Plan;
    while (node && out.length < 6) {
      out.push(node['Index Name'] ? `${node['Node Type']}(${node['Index Name']})` : node['Node Type']);
      node = node.Plans?.[0];
    }
    return out.join(' > ');
  } catch (err) {
    return `explain failed: ${err.message}`;
  }
}

/**
 * Up to `n` timed calls of `fn`, stopping early once `budgetMs` is spent (at least `min` calls).
 * Returns the latencies in ms and the failures.
 */
export async function sample(fn, { n, budgetMs, min = 3 }) {
  const ms = [];
  const failures = [];
  const end = performance.now() + budgetMs;
  for (let i = 0; i < n && (i < min || performance.now() < end); i++) {
    // A call slower than half the budget is not repeated three times: one sample says enough.
    if (i >= 1 && ms[0] > budgetMs / 2 && performance.now() >= end) break;
    const t = performance.now();
    try {
      await fn();
      ms.push(performance.now() - t);
    } catch (err) {
      failures.push(String(err.message ?? err).slice(0, 200));
      ms.push(performance.now() - t);
    }
  }
  return { ms, failures };
}

/** A GET that must answer 200 with rows (the page or entries it returns). */
export async function apiPage(client, path) {
  const r = await client.get(path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text.slice(0, 200)}`);
  return (r.json?.events ?? r.json?.entries ?? []).length;
}
