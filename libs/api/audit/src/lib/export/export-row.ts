import { normalizeCanon, type SealedRow } from '../chain/chain.sql';

/** A row as exports, the forwarder and external verifiers see it: with its chain fields. */
export interface ExportedRow {
  id: string;
  at: string;
  chain_seq: string | null;
  user_id: string | null;
  username: string | null;
  action: string;
  resource: string;
  args_json: unknown;
  salt_jid: string | null;
  decision: string;
  result_code: number | null;
  duration_ms: number | null;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  project_ids: string[];
  incomplete: boolean;
  prev_hash: string | null;
  hash: string | null;
}

export const EXPORT_FIELDS: (keyof ExportedRow)[] = [
  'id', 'at', 'chain_seq', 'user_id', 'username', 'action', 'resource', 'decision', 'result_code', 'duration_ms',
  'salt_jid', 'project_ids', 'request_id', 'source_ip', 'user_agent', 'incomplete', 'args_json', 'prev_hash', 'hash',
];

export type RawExportRow = Omit<SealedRow, 'chain_seq' | 'prev_hash' | 'hash'> & {
  chain_seq: string | null;
  prev_hash: Buffer | null;
  hash: Buffer | null;
  username?: string | null;
};

export function toExported(raw: RawExportRow, revealSource: boolean): ExportedRow {
  const r = normalizeCanon(raw);
  return {
    id: r.id,
    at: r.at,
    chain_seq: r.chain_seq,
    user_id: r.user_id,
    username: r.username ?? null,
    action: r.action,
    resource: r.resource,
    args_json: r.args_json === null ? null : (JSON.parse(r.args_json) as unknown),
    salt_jid: r.salt_jid,
    decision: r.decision,
    result_code: r.result_code,
    duration_ms: r.duration_ms,
    source_ip: revealSource ? r.source_ip : null,
    user_agent: revealSource ? r.user_agent : null,
    request_id: r.request_id,
    project_ids: r.project_ids,
    incomplete: r.incomplete,
    prev_hash: r.prev_hash ? r.prev_hash.toString('hex') : null,
    hash: r.hash ? r.hash.toString('hex') : null,
  };
}
