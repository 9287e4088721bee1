#!/usr/bin/env node
// Lint: a SQL statement that selects `<expr>::text AS name` (or `to_char(...)` / `${iso(...)} AS name`) and then
// says `ORDER BY name` sorts by the *text* alias, not the column: "100" < "35". Order by the
// qualified column (`e.id`) or alias the text form differently (`id_text`). Scans every template
// and quoted string in apps/, libs/ and tools/ (tests and benchmarks included).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'apps', 'libs', 'tools'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|mjs|js|cts)$/.test(f) && !f.includes('node_modules') && f !== 'tools/lint/sql-order-alias.mjs');

/** Yields the contents of each string literal (template, single or double quoted) with its start line. */
function* strings(src) {
  const re = /`(?:[^`\\]|\\.)*`|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/gs;
  for (const m of src.matchAll(re)) yield { text: m[0], line: src.slice(0, m.index).split('\n').length };
}

/** The aliases a statement gives a text rendering of something: `x::text AS a`, `to_char(...) AS a`. */
function textAliases(sql) {
  const out = new Set();
  for (const m of sql.matchAll(/::text\s+AS\s+"?([a-z_][a-z0-9_]*)"?/gi)) out.add(m[1].toLowerCase());
  for (const m of sql.matchAll(/to_char\((?:[^()]|\([^()]*\))*\)\s+AS\s+"?([a-z_][a-z0-9_]*)"?/gi)) out.add(m[1].toLowerCase());
  // An interpolated expression (`${iso('e.at')} AS at`) is usually a text rendering too.
  for (const m of sql.matchAll(/\}\s+AS\s+"?([a-z_][a-z0-9_]*)"?/gi)) out.add(m[1].toLowerCase());
  return out;
}

function check(file, src, problems) {
  if (!/ORDER\s+BY/i.test(src)) return;
  for (const { text, line } of strings(src)) {
    if (!/ORDER\s+BY/i.test(text)) continue;
    // Each SELECT … ORDER BY in the literal: only the ORDER BY that follows its own select list counts.
    const aliases = textAliases(text);
    if (!aliases.size) continue;
    for (const m of text.matchAll(/ORDER\s+BY\s+([^;`'")]*?)(?=\s*(?:\bLIMIT\b|\bOFFSET\b|\bFOR\b|\bFETCH\b|[;`'")]|$))/gis)) {
      for (const term of m[1].split(',')) {
        const name = term.trim().split(/\s+/)[0]?.replace(/"/g, '').toLowerCase();
        if (name && !name.includes('.') && aliases.has(name)) {
          problems.push(`${file}:${line}: ORDER BY ${name} sorts by the text alias "${name}"; order by the column or rename the alias`);
        }
      }
    }
  }
}

// The check must be able to fail: it first has to flag the bug it exists for.
const selfTest = [];
check('self-test', "q('SELECT id::text AS id FROM t WHERE id > $1 ORDER BY id')", selfTest);
if (selfTest.length !== 1) {
  console.error('sql-order-alias: the self-test was not flagged; the check is broken');
  process.exit(2);
}

const problems = [];
for (const file of files) check(file, readFileSync(file, 'utf8'), problems);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`sql-order-alias: ${files.length} files, no ORDER BY on a text alias`);
