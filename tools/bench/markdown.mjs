#!/usr/bin/env node
// `node tools/bench/markdown.mjs [bench-results.json]`: the machine facts and the table of a run as
// Markdown, for BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatMachine, formatMarkdown } from './lib/report.mjs';

const file = resolve(process.argv[2] ?? 'bench-results.json');
const doc = JSON.parse(readFileSync(file, 'utf8'));
const lines = [
  `Run of ${doc.started_at} (${doc.mode}, ${doc.duration_s} s):`,
  '',
  '```',
  doc.machine ? formatMachine(doc.machine) : 'machine facts missing',
  '```',
  '',
  formatMarkdown(doc.rows),
];
if (Object.keys(doc.errors ?? {}).length) lines.push('', `Errors: ${Object.keys(doc.errors).join(', ')} (see bench-results.json).`);
process.stdout.write(lines.join('\n') + '\n');
