// The processes under test: the api (dist/apps/api/main.js) and salt-sim, spawned the way
// apps/api-e2e/src/support/processes.ts spawns them, from a copy of dist taken at the start of the
// run (other engineers rebuild dist while a long run is going).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ADMIN = { username: 'admin', password: 'bench-admin-password-1' };
export const SIM_USER = { username: 'saltapi', password: 'bench-sim-password' };

/** Copies the built api and simulator into `into` and returns their entry points. */
export function snapshotDist(root, into) {
  const out = {};
  for (const [name, files] of [['api', ['main.js']], ['salt-sim', ['main.js']]]) {
    const from = join(root, 'dist/apps', name);
    for (const f of files) {
      if (!existsSync(join(from, f))) {
        throw new Error(`${join(from, f)} is missing: build first (NX_DAEMON=false npx nx run-many -t build -p api salt-sim), or pass --build`);
      }
    }
    const to = join(into, name);
    mkdirSync(to, { recursive: true });
    for (const f of files) copyFileSync(join(from, f), join(to, f));
    out[name] = join(to, 'main.js');
  }
  return out;
}

function launch(script, args, env, ready, { cwd, timeoutMs = 90_000, keepLogs = 400 } = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  let onLine = null;
  for (const s of [child.stdout, child.stderr]) {
    createInterface({ input: s }).on('line', (line) => {
      logs.push(line);
      if (logs.length > keepLogs) logs.shift();
      onLine?.(line);
    });
  }
  const exited = new Promise((res) => child.once('exit', (code, sig) => res(code ?? sig)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onLine = null;
      child.kill('SIGKILL');
      reject(new Error(`timed out starting ${script}; last lines:\n${logs.slice(-15).join('\n')}`));
    }, timeoutMs);
    const check = (line) => {
      const m = ready.exec(line);
      if (!m) return;
      clearTimeout(timer);
      onLine = null;
      resolve({
        url: m[1],
        child,
        pid: child.pid,
        logs,
        exited,
        rss: () => rssOf(child.pid),
        stop: async (signal = 'SIGTERM', graceMs = 15_000) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(t);
          return code;
        },
      });
    };
    onLine = check;
    for (const l of logs) check(l);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready; last lines:\n${logs.slice(-15).join('\n')}`));
    });
  });
}

/** Resident set size of a process in bytes (Linux). */
export function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux). */
export function cpuSecondsOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(parts[11]) + Number(parts[12])) / 100;
  } catch {
    return null;
  }
}

export async function startSim(ctx, extra = []) {
  const p = await launch(
    ctx.bin['salt-sim'],
    ['--port', '0', '--user', SIM_USER.username, '--password', SIM_USER.password, '--seed', 'bench', '--quiet', '--no-life', ...extra],
    {},
    /listening on (http\S+)/,
    { cwd: ctx.root, timeoutMs: 30_000 },
  );
  const control = async (path, body) => {
    const r = await fetch(p.url + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (r.status >= 300) throw new Error(`salt-sim ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  return { ...p, control };
}

export async function startApi(ctx, { databaseUrl, env = {}, label = 'api' }) {
  const dataDir = join(ctx.work, `${label}-${Date.now().toString(36)}`);
  mkdirSync(dataDir, { recursive: true });
  const p = await launch(
    ctx.bin.api,
    [],
    {
      PORT: '0',
      HOST: '127.0.0.1',
      // As deployed: one log line per request is part of what a request costs.
      LOG_LEVEL: 'info',
      SYLVITE_DATA_DIR: dataDir,
      SYLVITE_SECRET: 'bench-secret-bench-secret-bench-secret-0',
      SYLVITE_WEB_DIR: join(dataDir, 'no-web'),
      DATABASE_URL: databaseUrl,
      SYLVITE_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      ...env,
    },
    /Sylvite is running on (http[^\s"]+)/,
    { cwd: ctx.root, timeoutMs: 120_000 },
  );
  const stop = p.stop;
  return {
    ...p,
    dataDir,
    stop: async (signal, graceMs) => {
      const code = await stop(signal, graceMs);
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Reads one number from a Prometheus text page. */
export function metric(text, name) {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}
