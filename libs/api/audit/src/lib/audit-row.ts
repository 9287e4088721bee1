import type { AuditRow } from './audit-writer.service';

/** The columns an audit row is written with, in order, and their SQL types. */
export const ROW_COLUMNS = [
  ['at', 'timestamptz'], ['user_id', 'uuid'], ['action', 'text'], ['resource', 'text'], ['args_json', 'jsonb'],
  ['salt_jid', 'text'], ['decision', 'text'], ['result_code', 'int'], ['duration_ms', 'int'], ['source_ip', 'inet'],
  ['user_agent', 'text'], ['request_id', 'text'], ['project_ids', 'uuid[]'],
] as const;

export const ROW_NAMES = ROW_COLUMNS.map(([c]) => c).join(', ');

/**
 * Arguments already serialized (and made storable) once, when a request's row was built: the
 * buffered writer and the chain use the text as it is instead of serializing the object again.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** The jsonb text of a row's arguments, or null. */
export function argsText(args: unknown): string | null {
  if (args === undefined || args === null) return null;
  return args instanceof JsonText ? args.text : JSON.stringify(args);
}

/**
 * The parameter values of one row, in ROW_COLUMNS order. Rows from requests arrive already made
 * storable by AuditWriter (no NUL, no lone surrogate); the chain's own rows hold nothing else.
 */
export function auditRowValues(r: AuditRow): unknown[] {
  return [
    r.at ?? new Date(), r.user_id, r.action, r.resource, argsText(r.args_json),
    r.salt_jid ?? null, r.decision, r.result_code, r.duration_ms, r.source_ip, r.user_agent,
    r.request_id, r.project_ids ?? [],
  ];
}

/** A uuid[] as an array literal, so rows with different project counts fit in one `text[]` parameter. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * A batch of rows as one array per column (`values` are rows in ROW_COLUMNS order, from
 * `auditRowValues`): a batch is then 13 parameters however many rows it holds, read back with
 * `rowsFromColumns`.
 */
export function columnArrays(values: unknown[][]): unknown[] {
  return ROW_COLUMNS.map(([, type], j) =>
    values.map((v) => (type === 'uuid[]' ? arrayLiteral(v[j] as string[]) : v[j])),
  );
}

/**
 * `unnest` over `columnArrays` parameters starting at `$first`, as a FROM item named `alias` with
 * ROW_COLUMNS names (and `n`, the row's position from 1); project_ids still `text` (cast on use).
 */
export function rowsFromColumns(first: number, alias: string): string {
  const args = ROW_COLUMNS.map(([, type], j) => `$${first + j}::${type === 'uuid[]' ? 'text' : type}[]`);
  return `unnest(${args.join(', ')}) WITH ORDINALITY ${alias}(${ROW_NAMES}, n)`;
}
