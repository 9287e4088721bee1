#!/usr/bin/env node
// npm 11 on this machine writes package-lock.json without the platform-specific optional packages
// of other platforms (npm/cli#4828, #8805), and then `npm ci` refuses that same lockfile. This adds
// the missing entries (version, integrity, os/cpu/libc, optional) so `npm ci` works anywhere.
// Run after every `npm install` that changes dependencies: `node tools/complete-lockfile.mjs`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;

/** Where Node would resolve `name` from the package at `from` (walking up node_modules). */
function resolves(from, name) {
  let dir = from;
  for (;;) {
    if (pkgs[`${dir ? dir + '/' : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

const missing = new Map();
for (const [path, p] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(p.optionalDependencies ?? {})) {
    if (!resolves(path, name)) missing.set(name, range);
  }
}
function view(spec) {
  try {
    const out = execFileSync('npm', ['view', spec, 'version', 'dist.integrity', 'os', 'cpu', 'libc', 'engines', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const v = JSON.parse(out);
    return Array.isArray(v) ? v[v.length - 1] : v;
  } catch {
    return null;
  }
}

let added = 0;
for (const [name, range] of missing) {
  // The registry may not have this platform's build of an exact version: take the platform fields
  // from the latest build and record the wanted version (npm ci skips it on every other platform).
  let v = view(`${name}@${range}`);
  const exact = /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range);
  if (!v && exact) v = { ...view(name), version: range, 'dist.integrity': undefined };
  if (!v) {
    console.error(`cannot resolve ${name}@${range}; left out`);
    continue;
  }
  const entry = { version: v.version, ...(v['dist.integrity'] ? { integrity: v['dist.integrity'] } : {}), optional: true };
  for (const k of ['os', 'cpu', 'libc']) if (v[k]) entry[k] = [].concat(v[k]);
  if (v.engines) entry.engines = v.engines;
  pkgs[`node_modules/${name}`] = entry;
  added++;
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} missing optional platform packages to ${file}`);
