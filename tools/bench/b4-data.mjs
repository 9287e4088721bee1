// Synthetic history for the feed benchmarks, generated inside PostgreSQL (generate_series, a
// deterministic hash per row) into the product's own tables: activity_events day partitions made
// with sylvite_ensure_activity_partition(day), and audit_log. Indexes are dropped for the load and
// rebuilt from their own definitions afterwards (a bulk load, not a benchmark of index upkeep).

export const DAYS = 29.5;
export const ROLES = ['web', 'app', 'db', 'cache', 'lb', 'mon'];
export const ENVS = ['prod', 'stage', 'dev'];

/** The minion id the generator gives number `m` (mirrors minionSql). */
export function minionName(m) {
  return `${ROLES[m % 6]}-${String(m).padStart(5, '0')}.${ENVS[m % 3]}.example.com`;
}

/** Search terms with a known selectivity in the generated data. */
export const TERMS = {
  common: 'state.apply', // about half the rows
  selective: 'web-04242', // one minion: ~1 row in 12,000
  none: 'zqxjv', // nowhere
  rareOld: 'oom-killer', // exactly 20 rows, all in the oldest 1 %
  twoChars: 'db', // no trigram: a scan until a page is found
};

const minionSql = (m) =>
  `((ARRAY['web','app','db','cache','lb','mon'])[(${m}) % 6 + 1] || '-' || lpad((${m})::text, 5, '0') || '.' || (ARRAY['prod','stage','dev'])[(${m}) % 3 + 1] || '.example.com')`;

/**
 * Rows [lo, hi] of n. Params: $1 lo, $2 hi, $3 first timestamp, $4 seconds per row, $5 n,
 * $6 id offset. Jobs are 11 consecutive rows (one job.new and ten returns from ten neighbouring
 * minions); 4 % of rows are key events, 5 % minion starts.
 */
const ACTIVITY_INSERT = `
INSERT INTO activity_events (id, occurred_at, received_at, category, event_type, outcome, tag, minion_id, jid, fun,
  initiator, target, target_type, retcode, success, changes_count, duration_ms, minions, summary, search_text, dedupe_key)
SELECT $6::bigint + g, t, t + interval '35 milliseconds', cat, et, oc, tag, mid, jid, fun, ini, tgt, tt, rc, succ, chg, dur, NULL,
       summ, left(lower(concat_ws(' ', summ, mid, fun, ini, tgt)), 2048), 'bench:' || g
FROM (
  SELECT g, t, cat, et, oc, mid, jid, fun, ini, tgt, tt, rc, succ, chg, dur,
    CASE cat WHEN 'key' THEN 'salt/key' WHEN 'minion' THEN 'salt/minion/' || mid || '/start'
      ELSE CASE WHEN et = 'job.new' THEN 'salt/job/' || jid || '/new' ELSE 'salt/job/' || jid || '/ret/' || mid END END AS tag,
    CASE cat
      WHEN 'key' THEN 'key ' || oc || ' for ' || mid
      WHEN 'minion' THEN mid || ' started'
      ELSE CASE WHEN et = 'job.new' THEN ini || ' ran ' || fun || ' on ' || tgt || ' (10 minions)'
        ELSE mid || ': ' || fun || ' ' || CASE oc WHEN 'ok' THEN 'succeeded, no changes'
          WHEN 'changes' THEN 'succeeded with ' || chg || ' changes'
          WHEN 'failed' THEN 'failed (retcode 2)'
          ELSE 'would change ' || chg || ' states (test=True)' END END
    END || CASE WHEN g <= $5::bigint / 100 AND g % greatest($5::bigint / 2000, 1) = 0 THEN ' (oom-killer invoked)' ELSE '' END AS summ
  FROM (
    SELECT g, t, cat,
      CASE cat WHEN 'key' THEN (ARRAY['key.pend','key.pend','key.pend','key.pend','key.accept','key.accept','key.accept','key.accept','key.reject','key.delete'])[r2 % 10 + 1]
        WHEN 'minion' THEN 'minion.start' ELSE CASE WHEN k = 0 THEN 'job.new' ELSE 'job.ret' END END AS et,
      CASE cat WHEN 'key' THEN (ARRAY['pending','pending','pending','pending','accepted','accepted','accepted','accepted','rejected','deleted'])[r2 % 10 + 1]
        WHEN 'minion' THEN 'online'
        ELSE CASE WHEN k = 0 THEN 'dispatched' WHEN r2 < 850 THEN 'ok' WHEN r2 < 950 THEN 'changes' WHEN r2 < 990 THEN 'failed' ELSE 'would_change' END END AS oc,
      CASE WHEN cat = 'key' THEN 'new-' || lpad(m::text, 5, '0') || '.lab.example.com'
        WHEN cat = 'job' AND k = 0 THEN NULL ELSE ${minionSql('m')} END AS mid,
      CASE WHEN cat = 'job' THEN jid END AS jid,
      CASE WHEN cat = 'job' THEN fun END AS fun,
      CASE WHEN cat = 'job' THEN ini END AS ini,
      CASE WHEN cat = 'job' THEN tgt END AS tgt,
      CASE WHEN cat = 'job' THEN 'glob' END AS tt,
      CASE WHEN cat = 'job' AND k > 0 THEN CASE WHEN r2 >= 950 AND r2 < 990 THEN 2 ELSE 0 END END AS rc,
      CASE WHEN cat = 'job' AND k > 0 THEN NOT (r2 >= 950 AND r2 < 990) END AS succ,
      CASE WHEN cat = 'job' AND k > 0 THEN CASE WHEN r2 >= 850 AND r2 < 950 THEN 1 + r2 % 5 WHEN r2 >= 990 THEN 1 + r2 % 3 ELSE 0 END END AS chg,
      CASE WHEN cat = 'job' AND k > 0 AND fun = 'state.apply' THEN (r2 * 13.7)::float8 END AS dur
    FROM (
      SELECT g, t, k, r2,
        CASE WHEN r1 < 40 THEN 'key' WHEN r1 < 90 THEN 'minion' ELSE 'job' END AS cat,
        CASE WHEN r1 < 40 THEN abs(hashint8(g * 5)) % 100000 WHEN r1 < 90 THEN abs(hashint8(g * 3)) % 10000 ELSE blk * 10 + greatest(k - 1, 0) END AS m,
        to_char(t, 'YYYYMMDDHH24MISS') || lpad((job % 1000000)::text, 6, '0') AS jid,
        CASE WHEN fj < 60 THEN 'state.apply' WHEN fj < 80 THEN 'test.ping' WHEN fj < 95 THEN 'cmd.run' ELSE 'grains.items' END AS fun,
        (ARRAY['sudo_alice','sudo_bob','root','sudo_carol','salt-scheduler','sudo_dave','deploy','sudo_erin','ci-runner','sudo_frank'])[ij + 1] AS ini,
        CASE WHEN fj % 4 = 0 THEN '*' ELSE (ARRAY['web','app','db','cache','lb','mon'])[(blk * 10) % 6 + 1] || '-*' END AS tgt
      FROM (
        SELECT g,
          $3::timestamptz + make_interval(secs => (g - 1) * $4::float8) AS t,
          abs(hashint8(g)) % 1000 AS r1,
          abs(hashint8(g + 1000000007)) % 1000 AS r2,
          g / 11 AS job,
          (g % 11)::int AS k,
          abs(hashint8((g / 11) * 31)) % 100 AS fj,
          abs(hashint8((g / 11) * 17)) % 1000 AS blk,
          abs(hashint8((g / 11) * 13)) % 10 AS ij
        FROM generate_series($1::bigint, $2::bigint) AS g
      ) a
    ) b
  ) c
) d`;

/** Audit rows [lo, hi]: $1 lo, $2 hi, $3 first timestamp, $4 seconds per row, $5 id offset, $6 admin user id. */
const AUDIT_INSERT = `
INSERT INTO audit_log (id, at, user_id, action, resource, args_json, salt_jid, decision, result_code, duration_ms,
  source_ip, user_agent, request_id, project_ids, incomplete, chain_seq, prev_hash, hash)
OVERRIDING SYSTEM VALUE
SELECT $5::bigint + g, at, CASE WHEN r1 < 950 THEN $6::uuid END, act,
  CASE WHEN act LIKE 'key.%' AND act <> 'key.list' THEN 'key:' || ${minionSql('r2 * 7')} ELSE split_part(act, '.', 1) || ':*' END,
  jsonb_build_object('query', jsonb_build_object('limit', '50')),
  CASE WHEN act = 'salt.run' THEN to_char(at, 'YYYYMMDDHH24MISSUS') END,
  CASE WHEN r1 >= 980 THEN 'deny' ELSE 'allow' END, CASE WHEN r1 >= 980 THEN 403 ELSE 200 END, r2 % 40,
  '127.0.0.1'::inet, 'Mozilla/5.0 (bench)', 'bench-' || g, '{}'::uuid[], false,
  -g, decode(md5('p' || g), 'hex'), decode(md5('h' || g), 'hex')
FROM (
  SELECT g, at, r1, r2,
    CASE WHEN a < 35 THEN 'activity.read' WHEN a < 45 THEN 'activity.stream' WHEN a < 55 THEN 'job.list'
      WHEN a < 62 THEN 'minion.list' WHEN a < 70 THEN 'audit.read' WHEN a < 78 THEN 'auth.login' WHEN a < 83 THEN 'key.list'
      WHEN a < 86 THEN 'salt.run' WHEN a < 88 THEN 'key.accept' WHEN a < 89 THEN 'key.reject' WHEN a < 92 THEN 'token.create'
      WHEN a < 95 THEN 'settings.update' WHEN a < 97 THEN 'user.update' ELSE 'job.read' END AS act
  FROM (
    SELECT g, $3::timestamptz + make_interval(secs => (g - 1) * $4::float8) AS at,
      abs(hashint8(g)) % 1000 AS r1, abs(hashint8(g + 7777777)) % 1000 AS r2, abs(hashint8(g * 11)) % 100 AS a
    FROM generate_series($1::bigint, $2::bigint) AS g
  ) x
) y`;

async function dropIndexes(c, table) {
  const r = await c.query(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relname = $1 AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)`,
    [table],
  );
  for (const ix of r.rows) await c.query(`DROP INDEX ${c.escapeIdentifier(ix.name)}`);
  return r.rows.map((x) => x.def);
}

async function rebuild(c, defs, log) {
  for (const def of defs) {
    const t = Date.now();
    // A partitioned index's definition reads `ON ONLY parent`, which would build nothing below it.
    await c.query(def.replace(' ON ONLY ', ' ON '));
    log(`  ${def.replace(/^CREATE (UNIQUE )?INDEX (\S+) ON .*$/, '$2')} built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
}

/**
 * Fills activity_events with `n` rows over the last DAYS days (newest ~2 minutes ago), and
 * audit_log with `auditRows`. Returns what the queries need to know about the data.
 */
export async function loadFeedData(c, { n, auditRows, log }) {
  await c.query(`SET maintenance_work_mem = '512MB'`);
  await c.query(`SET synchronous_commit = off`);
  const spanS = DAYS * 86400;
  const end = Date.now() - 120_000;
  const first = new Date(end - spanS * 1000);
  const perRow = spanS / n;
  // Every day the rows will land on, as the writer would create them.
  await c.query(
    `SELECT sylvite_ensure_activity_partition(d::date)
       FROM generate_series(($1::timestamptz AT TIME ZONE 'UTC')::date, ($2::timestamptz AT TIME ZONE 'UTC')::date, interval '1 day') AS d`,
    [first.toISOString(), new Date(end).toISOString()],
  );
  const idOffset = Number((await c.query('SELECT coalesce(max(id), 0)::bigint AS m FROM activity_events')).rows[0].m);
  const defs = await dropIndexes(c, 'activity_events');
  const chunk = Math.ceil(n / 30);
  let t0 = Date.now();
  for (let lo = 1; lo <= n; lo += chunk) {
    const hi = Math.min(n, lo + chunk - 1);
    await c.query(ACTIVITY_INSERT, [lo, hi, first.toISOString(), perRow, n, idOffset]);
  }
  log(`  activity_events: ${n} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s; rebuilding ${defs.length} indexes`);
  await rebuild(c, defs, log);
  await c.query(`SELECT setval('activity_events_id_seq', $1::bigint)`, [idOffset + n]);

  t0 = Date.now();
  const admin = (await c.query(`SELECT id FROM users WHERE username = 'admin'`)).rows[0]?.id ?? null;
  const auditOffset = Number((await c.query('SELECT coalesce(max(id), 0)::bigint AS m FROM audit_log')).rows[0].m) + 1000;
  const auditDefs = await dropIndexes(c, 'audit_log');
  const aPerRow = spanS / auditRows;
  const aChunk = Math.ceil(auditRows / 20);
  for (let lo = 1; lo <= auditRows; lo += aChunk) {
    const hi = Math.min(auditRows, lo + aChunk - 1);
    await c.query(AUDIT_INSERT, [lo, hi, first.toISOString(), aPerRow, auditOffset, admin]);
  }
  log(`  audit_log: ${auditRows} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s; rebuilding ${auditDefs.length} indexes`);
  await rebuild(c, auditDefs, log);
  await c.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), $1::bigint)`, [auditOffset + auditRows + 1000]);

  t0 = Date.now();
  // What autovacuum would have done to a table this old: visibility map and statistics.
  await c.query('VACUUM (ANALYZE) activity_events');
  await c.query('VACUUM (ANALYZE) audit_log');
  log(`  vacuum + analyze in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const size = (await c.query(`SELECT pg_total_relation_size(c.oid)::bigint AS n FROM pg_class c WHERE relname = 'audit_log'`)).rows[0].n;
  const asize = (
    await c.query(`SELECT sum(pg_total_relation_size(inhrelid))::bigint AS n FROM pg_inherits WHERE inhparent = 'activity_events'::regclass`)
  ).rows[0].n;
  return { n, auditRows, first: first.toISOString(), end: new Date(end).toISOString(), activityBytes: Number(asize), auditBytes: Number(size) };
}
