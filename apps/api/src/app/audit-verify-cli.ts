import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Client } from 'pg';
import { ChainKeys, ChainVerifier, type VerifyReport } from '@sylvite/api-audit';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@sylvite/api-database';

export const EXIT_CLEAN = 0;
export const EXIT_BROKEN = 1;
export const EXIT_CANNOT_RUN = 2;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `usage: npm run audit:verify -- [--since <ISO time>] [--json]

Walks Sylvite's audit hash chain from its anchor (or from --since) to its head and reports the
first row that was modified, deleted, inserted or reordered.
Exit status: 0 the chain is intact, 1 it is broken, 2 the check could not run.

Reads DATABASE_URL, else the embedded database in SYLVITE_DATA_DIR (default .sylvite; started for
the check when it is not running), and SYLVITE_SECRET (else the data dir's secret) plus
SYLVITE_PREVIOUS_SECRETS.`;

class CannotRun extends Error {}

interface Args {
  since?: string;
  json: boolean;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--since' || a.startsWith('--since=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v || Number.isNaN(Date.parse(v))) throw new CannotRun('--since: needs an ISO 8601 time');
      args.since = v;
    } else throw new CannotRun(`unknown argument ${a}`);
  }
  return args;
}

function secrets(env: NodeJS.ProcessEnv, dataDir: string): { secret: string; previous: string[] } {
  const previous = (env['SYLVITE_PREVIOUS_SECRETS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const given = env['SYLVITE_SECRET']?.trim();
  if (given) return { secret: given, previous };
  const file = join(dataDir, 'secret');
  if (!existsSync(file)) throw new CannotRun(`no SYLVITE_SECRET and no ${file}: the chain key is unknown`);
  return { secret: readFileSync(file, 'utf8').trim(), previous };
}

/** A running embedded server's port from its `postmaster.pid`, or null. */
function runningPort(pgDir: string): number | null {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return Number.isInteger(port) && port > 0 ? port : null;
}

async function database(env: NodeJS.ProcessEnv, dataDir: string): Promise<{ url: string; embedded: EmbeddedPostgresHandle | null }> {
  const given = env['DATABASE_URL']?.trim();
  if (given) return { url: given, embedded: null };
  const credFile = join(dataDir, 'pg-credentials.json');
  if (!existsSync(credFile)) throw new CannotRun(`no DATABASE_URL and no embedded database in ${dataDir} (run Sylvite once, or set DATABASE_URL)`);
  const { password } = JSON.parse(readFileSync(credFile, 'utf8')) as { password: string };
  const pgDir = join(dataDir, 'pg');
  const port = runningPort(pgDir);
  if (port) return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/sylvite`, embedded: null };
  const embedded = await startEmbeddedPostgres({ dir: pgDir });
  return { url: embedded.url.replace(/\/postgres$/, '/sylvite'), embedded };
}

function describe(r: VerifyReport): string[] {
  const lines: string[] = [];
  if (r.broken) {
    lines.push(`audit chain BROKEN: ${r.broken.kind} at row ${r.broken.id ?? '-'} (seq ${r.broken.seq ?? '-'})`);
    lines.push(`  ${r.broken.detail}`);
    lines.push(`  ${r.checked} row(s) verified before it`);
  } else {
    lines.push(`audit chain intact: ${r.checked} row(s) verified${r.first_seq ? ` (seq ${r.first_seq}..${r.last_seq})` : ''} in ${r.duration_ms} ms`);
  }
  lines.push(`  anchor seq ${r.anchor.seq}${r.anchor.id ? ` (id ${r.anchor.id})` : ' (genesis)'}, head seq ${r.head.seq}${r.head.id ? ` (id ${r.head.id})` : ''}`);
  if (r.rows_by_key.length > 1) lines.push(`  rows per key (current first): ${r.rows_by_key.join(', ')}`);
  if (r.pending) lines.push(`  ${r.pending} row(s) pending (requests in flight), not yet in the chain`);
  return lines;
}

/** The whole command; returns the exit status instead of exiting, so it can be tested in-process. */
export async function runAuditVerify(argv: string[], env: NodeJS.ProcessEnv, io: CliIo, cwd = process.cwd()): Promise<number> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let client: Client | null = null;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.out(USAGE);
      return EXIT_CLEAN;
    }
    const dataDirRaw = env['SYLVITE_DATA_DIR']?.trim() || '.sylvite';
    const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
    const { secret, previous } = secrets(env, dataDir);
    const db = await database(env, dataDir);
    embedded = db.embedded;
    client = new Client({ connectionString: db.url, application_name: 'sylvite-audit-verify' });
    await client.connect();
    const c = client;
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const exists = await c.query(`SELECT to_regclass('audit_chain_state') IS NOT NULL AS ok`);
    if (!exists.rows[0].ok) throw new CannotRun('the database has no audit chain yet (start Sylvite once so its migrations run)');
    const report = await new ChainVerifier(async (sql, params) => (await c.query(sql, params as unknown[])).rows, new ChainKeys(secret, previous))
      .verify({ since: args.since });
    await c.query('COMMIT');
    if (args.json) io.out(JSON.stringify(report, null, 2));
    else describe(report).forEach((l) => io.out(l));
    return report.ok ? EXIT_CLEAN : EXIT_BROKEN;
  } catch (err) {
    io.err(`audit:verify could not run: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof CannotRun && /argument|--since/.test(err.message)) io.err(USAGE);
    return EXIT_CANNOT_RUN;
  } finally {
    await client?.end().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
  }
}
