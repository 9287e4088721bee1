import type { AuditRow } from './audit-writer.service';

/** The columns an audit row is written with, in order, and their SQL types. */
export const ROW_COLUMNS = [
  ['at', 'timestamptz'], ['user_id', 'uuid'], ['action', 'text'], ['resource', 'text'], ['args_json', 'jsonb'],
  ['salt_jid', 'text'], ['decision', 'text'], ['result_code', 'int'], ['duration_ms', 'int'], ['source_ip', 'inet'],
  ['user_agent', 'text'], ['request_id', 'text'], ['project_ids', 'uuid[]'],
] as const;

/**
 * The parameter values of one row, in ROW_COLUMNS order. Rows from requests arrive already made
 * storable by AuditWriter (no NUL, no lone surrogate); the chain's own rows hold nothing else.
 */
export function auditRowValues(r: AuditRow): unknown[] {
  return [
    r.at ?? new Date(), r.user_id, r.action, r.resource,
    r.args_json === undefined || r.args_json === null ? null : JSON.stringify(r.args_json),
    r.salt_jid ?? null, r.decision, r.result_code, r.duration_ms, r.source_ip, r.user_agent,
    r.request_id, r.project_ids ?? [],
  ];
}
