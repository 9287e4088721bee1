import type { CanonRow } from './canonical';

/** Advisory lock keys (two-int form, namespace "SYLV"); one per job that must not run twice at once. */
export const LOCK_NS = 0x53594c56;
export enum ChainLock {
  /** Held (transaction level) by everything that appends to the chain. */
  Append = 1,
  Checkpoint = 2,
  Retention = 3,
  Sealer = 4,
}

export const lockChainSql = `SELECT pg_advisory_xact_lock(${LOCK_NS}, ${ChainLock.Append})`;

/**
 * The columns a row's hash covers, in the text forms the hash is computed over (see CanonRow).
 * Used when sealing and when verifying, so both read the same bytes from PostgreSQL.
 */
export function canonColumns(a: string): string {
  return `${a}.id::text AS id,
    to_char(${a}.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
    ${a}.user_id::text AS user_id, ${a}.action::text AS action, ${a}.resource::text AS resource,
    ${a}.args_json::text AS args_json, ${a}.salt_jid::text AS salt_jid, ${a}.decision::text AS decision,
    ${a}.result_code::int AS result_code, ${a}.duration_ms::int AS duration_ms,
    abbrev(${a}.source_ip) AS source_ip, ${a}.user_agent::text AS user_agent, ${a}.request_id::text AS request_id,
    ${a}.project_ids::text[] AS project_ids, ${a}.incomplete::boolean AS incomplete`;
}

export interface ChainState {
  anchor_seq: string;
  anchor_id: string | null;
  anchor_hash: Buffer;
  anchor_mac: Buffer | null;
  head_seq: string;
  head_id: string | null;
  head_hash: Buffer;
  head_mac: Buffer | null;
  last_checkpoint_at: Date | null;
}

export const readStateSql = `SELECT anchor_seq::text AS anchor_seq, anchor_id::text AS anchor_id, anchor_hash, anchor_mac,
  head_seq::text AS head_seq, head_id::text AS head_id, head_hash, head_mac, last_checkpoint_at
  FROM audit_chain_state WHERE id = 1`;

/** A sealed row as the verifier and the exporters read it. */
export interface SealedRow extends CanonRow {
  chain_seq: string;
  prev_hash: Buffer;
  hash: Buffer;
}

export function normalizeCanon<T extends CanonRow>(r: T): T {
  return { ...r, project_ids: r.project_ids ?? [], incomplete: r.incomplete === true };
}
