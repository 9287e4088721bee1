#!/usr/bin/env node
// `npm test`: every tier in order — lint, unit, integration (real PostgreSQL), build, api e2e
// (built processes + salt-sim), browser e2e (Debian's Chromium) — then one summary line.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const only = process.argv.slice(2);
const require = createRequire(import.meta.url);
const nx = [require.resolve('nx/bin/nx')];
const jest = [require.resolve('jest/bin/jest')];
mkdirSync('tmp', { recursive: true });

const tiers = [
  { name: 'lint', cmd: [...nx, 'run-many', '-t', 'lint', '--parallel=2', '--output-style=static', '--', '--max-warnings=0'] },
  { name: 'lint', cmd: ['tools/lint/sql-order-alias.mjs'] },
  { name: 'unit', jest: 'jest.unit.config.cts' },
  { name: 'int', jest: 'jest.int.config.cts' },
  { name: 'build', cmd: [...nx, 'run-many', '-t', 'build', '-p', 'api', 'web', 'salt-sim', '--parallel=2', '--output-style=static'] },
  { name: 'e2e', jest: 'apps/api-e2e/jest.config.cts' },
  { name: 'web-e2e', jest: 'apps/web-e2e/jest.config.cts' },
].filter((t) => !only.length || only.includes(t.name));

let passed = 0;
let failed = 0;
const failedTiers = [];
for (const t of tiers) {
  if (t.jest && !existsSync(t.jest)) continue;
  console.log(`\n=== ${t.name} ===`);
  const out = `tmp/test-results-${t.name}.json`;
  rmSync(out, { force: true });
  const args = t.jest ? [...jest, '-c', t.jest, '--ci', '--json', `--outputFile=${out}`] : t.cmd;
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0' } });
  if (t.jest && existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    if (j.numTotalTests === 0) failedTiers.push(`${t.name} (ran no test)`);
  }
  if (r.status !== 0) failedTiers.push(t.name);
}
console.log(`\n${failedTiers.length ? `failed tiers: ${failedTiers.join(', ')}` : 'all tiers passed'}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedTiers.length || failed ? 1 : 0);
