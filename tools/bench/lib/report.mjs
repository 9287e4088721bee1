// The printed table and bench-results.json.
import { writeFileSync } from 'node:fs';
import { fmtBytes, fmtRatio } from './stats.mjs';

/**
 * A row of the table. `measured` and `baseline` are display strings; `ratio` is
 * `{median,min,max}` of A/B per round; `ok` is true/false against the goal, null when the goal
 * does not apply (quick runs never fail on speed: the verdict is informational).
 */
export function row(id, what, { measured = '–', baseline = '–', ratio = null, goal = '', ok = null, data = undefined } = {}) {
  return { id, what, measured, baseline, ratio, goal, ok, data };
}

const WIDTHS = { id: 4, what: 34, measured: 30, baseline: 24, ratio: 22, goal: 26 };

function cell(s, w) {
  s = String(s ?? '');
  return s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w);
}

export function formatTable(rows) {
  const head = `${cell('id', WIDTHS.id)} ${cell('what', WIDTHS.what)} ${cell('measured', WIDTHS.measured)} ${cell('baseline (same run)', WIDTHS.baseline)} ${cell('ratio med [min–max]', WIDTHS.ratio)} ${cell('goal', WIDTHS.goal)} ok`;
  const lines = [head, '-'.repeat(head.length)];
  for (const r of rows) {
    const ok = r.ok === true ? 'yes' : r.ok === false ? 'NO' : '–';
    lines.push(`${cell(r.id, WIDTHS.id)} ${cell(r.what, WIDTHS.what)} ${cell(r.measured, WIDTHS.measured)} ${cell(r.baseline, WIDTHS.baseline)} ${cell(fmtRatio(r.ratio), WIDTHS.ratio)} ${cell(r.goal, WIDTHS.goal)} ${ok}`);
  }
  return lines.join('\n');
}

/** The same rows as a Markdown table (BENCHMARKS.md). */
export function formatMarkdown(rows) {
  const esc = (s) => String(s ?? '').replace(/\|/g, '\\|');
  const lines = ['| id | what | measured | baseline (same run) | ratio median [min–max] | goal | met |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ok = r.ok === true ? 'yes' : r.ok === false ? '**no**' : '–';
    lines.push(`| ${r.id} | ${esc(r.what)} | ${esc(r.measured)} | ${esc(r.baseline)} | ${esc(fmtRatio(r.ratio))} | ${esc(r.goal)} | ${ok} |`);
  }
  return lines.join('\n');
}

export function formatMachine(m) {
  return [
    `date ${m.date}  commit ${m.git_commit?.slice(0, 10) ?? '?'}${m.git_dirty ? ' (dirty tree)' : ''}`,
    `${m.cores} cores (${m.cpu_model}), ${fmtBytes(m.memory_bytes)} RAM, load ${m.loadavg_start.join(' ')} at start${m.loadavg_end ? `, ${m.loadavg_end.join(' ')} at end` : ''}`,
    `disk: ${m.disk_fsync.per_second} fdatasync/s (8 kB, p50 ${m.disk_fsync.p50_ms?.toFixed(2)} ms); PostgreSQL: ${m.pg_commit.per_second} commits/s single-row (p50 ${m.pg_commit.p50_ms?.toFixed(2)} ms, p99 ${m.pg_commit.p99_ms?.toFixed(2)} ms)`,
    `node ${m.node}, pg ${m.pg_driver}, ${m.postgres?.split(' on ')[0]}, fsync=${m.pg_settings.fsync} synchronous_commit=${m.pg_settings.synchronous_commit} shared_buffers=${m.pg_settings.shared_buffers}`,
  ].join('\n');
}

export function writeResults(file, doc) {
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
}
