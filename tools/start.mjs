#!/usr/bin/env node
// `npm start`: build what is missing, start the salt-api simulator unless SALT_API_URL points at a
// real salt-api, then the api (which starts its embedded PostgreSQL unless DATABASE_URL is set).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

const env = { ...process.env };
const children = [];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, NX_DAEMON: 'false' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function start(name, args, onLine) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => onLine(line));
  }
  child.on('exit', (code) => {
    console.error(`[sylvite] ${name} exited (${code})`);
    shutdown(code ?? 1);
  });
  return child;
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

const want = ['api', 'web', ...(env.SALT_API_URL ? [] : ['salt-sim'])];
const missing = !existsSync('dist/apps/api/main.js') || !existsSync('dist/apps/web/browser/index.html') || (!env.SALT_API_URL && !existsSync('dist/apps/salt-sim/main.js'));
if (missing || env.SYLVITE_REBUILD !== '0') {
  console.log('[sylvite] building ' + want.join(', ') + ' …');
  run(process.execPath, [createRequire(import.meta.url).resolve('nx/bin/nx'), 'run-many', '-t', 'build', '-p', ...want, '--parallel=2', '--output-style=static']);
}

/** One readable line per JSON log record; everything else as it comes. */
function show(prefix, line) {
  try {
    const r = JSON.parse(line);
    if (r.req && r.res && r.level < 40) return; // request logs: in LOG_LEVEL=debug runs only
    console.log(`${prefix} ${r.context ? `[${r.context}] ` : ''}${r.msg ?? line}`);
  } catch {
    console.log(`${prefix} ${line}`);
  }
}

function startApi() {
  start('api', ['dist/apps/api/main.js'], (line) => {
    show('[api]', line);
    const m = /Sylvite is running on (http[^\s"]+)/.exec(line);
    if (m) console.log(`\n  Sylvite console: ${m[1]}\n`);
    const s = /(http[^\s"]+\/setup\?token=[^\s"]+)/.exec(line);
    if (s) console.log(`\n  First boot: create the first admin at ${s[1]}\n`);
  });
}

if (env.SALT_API_URL) {
  startApi();
} else {
  const user = env.SALT_API_USERNAME ?? 'saltapi';
  const password = env.SALT_API_PASSWORD ?? 'saltapi';
  start('salt-sim', ['dist/apps/salt-sim/main.js', '--port', '0', '--user', user, '--password', password], (line) => {
    const m = /listening on (http\S+)/.exec(line);
    if (m && !env.SALT_API_URL) {
      Object.assign(env, { SALT_API_URL: m[1], SALT_API_USERNAME: user, SALT_API_PASSWORD: password, SALT_API_EAUTH: 'auto' });
      env.SYLVITE_EVENT_STREAM ??= 'true';
      console.log(`[sylvite] salt-api simulator on ${m[1]}`);
      startApi();
    } else if (env.SALT_SIM_VERBOSE) console.log(`[salt-sim] ${line}`);
  });
}
