import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';

const ROOT = resolve(__dirname, '../../../..');

export interface RunningProcess {
  url: string;
  logs: string[];
  child: ChildProcess;
  waitForLog(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function launch(script: string, args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 30_000): Promise<RunningProcess> {
  const child = spawn(process.execPath, [join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  for (const s of [child.stdout, child.stderr]) {
    if (!s) continue;
    createInterface({ input: s }).on('line', (line) => {
      logs.push(line);
      for (const w of waiters) w();
    });
  }
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const waitForLog = (re: RegExp, ms = timeoutMs) =>
    new Promise<RegExpExecArray>((res, rej) => {
      const check = () => {
        for (const l of logs) {
          const m = re.exec(l);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            res(m);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        rej(new Error(`timed out waiting for ${re} in ${script}; last lines:\n${logs.slice(-15).join('\n')}`));
      }, ms);
      waiters.add(check);
      check();
      void exited.then((code) => {
        if (waiters.has(check)) {
          waiters.delete(check);
          clearTimeout(timer);
          rej(new Error(`${script} exited (${code}) before ${re}; last lines:\n${logs.slice(-15).join('\n')}`));
        }
      });
    });
  return waitForLog(ready).then((m) => ({
    url: m[1],
    logs,
    child,
    waitForLog,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  }));
}

export interface SaltSim extends RunningProcess {
  user: string;
  password: string;
}

/** The salt-api simulator on a free port, quiet and deterministic unless asked otherwise. */
export async function startSaltSim(extraArgs: string[] = ['--no-life']): Promise<SaltSim> {
  const user = 'saltapi';
  const password = 'sim-password';
  const p = await launch('dist/apps/salt-sim/main.js', ['--port', '0', '--user', user, '--password', password, '--seed', '7', '--quiet', ...extraArgs], {}, /listening on (http\S+)/);
  return { ...p, user, password };
}

export interface Api extends RunningProcess {
  /** The api's own database (DATABASE_URL), for tests that inspect or break it. */
  db: TestDatabase | null;
  dataDir: string;
  setupToken(): string | null;
}

export interface ApiOptions {
  env?: Record<string, string>;
  /** `fresh-db`: a new database copied from the migrated template (default); `embedded`: no DATABASE_URL. */
  database?: 'fresh-db' | 'embedded';
  /** A bootstrap admin `admin` / ADMIN_PASSWORD (default true). */
  bootstrap?: boolean;
  /** Reuse a database (a restart, a second replica). */
  reuse?: TestDatabase;
}

export const ADMIN_PASSWORD = 'admin-password-123';

export async function startApi(opts: ApiOptions = {}): Promise<Api> {
  const dataDir = mkdtempSync(join(ROOT, 'tmp', 'e2e-api-'));
  const db = opts.database === 'embedded' ? null : (opts.reuse ?? (await createTestDatabase()));
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SYLVITE_DATA_DIR: dataDir,
    SYLVITE_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e-secret',
    SYLVITE_WEB_DIR: join(ROOT, 'dist/apps/web/browser'),
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...(opts.bootstrap === false ? {} : { SYLVITE_BOOTSTRAP_ADMIN_USERNAME: 'admin', SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD }),
    ...opts.env,
  };
  const p = await launch('dist/apps/api/main.js', [], env, /Sylvite is running on (http\S+?)"/, 60_000);
  return {
    ...p,
    db,
    dataDir,
    setupToken: () => {
      for (const l of p.logs) {
        const m = /setup\?token=([A-Za-z0-9_-]+)/.exec(l);
        if (m) return m[1];
      }
      return null;
    },
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      const code = await p.stop(signal);
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
