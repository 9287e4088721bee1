import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Bumped whenever the serialization below changes; old rows keep verifying under their own `v`. */
export const CHAIN_VERSION = 1;
export const CHAIN_KEY_LABEL = 'sylvite-audit-chain-v1';
export const GENESIS_HASH = Buffer.alloc(32);

/**
 * A row as the chain sees it: every value in the text form PostgreSQL gives back (see
 * `canonColumns`), so the hash computed at sealing time and the one computed by a verifier
 * reading the table later are over identical bytes.
 */
export interface CanonRow {
  id: string;
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, always UTC, always microseconds. */
  at: string;
  user_id: string | null;
  action: string;
  resource: string;
  /** The jsonb value's text, or null. */
  args_json: string | null;
  salt_jid: string | null;
  decision: string;
  result_code: number | null;
  duration_ms: number | null;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  project_ids: string[];
  incomplete: boolean;
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units at every depth, no whitespace, strings
 * and non-integer numbers as `JSON.stringify` writes them, bigints as integer literals, `undefined`
 * object members dropped (as JSON does). The same rules as RFC 8785 for everything audit rows hold.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot serialize ${typeof value}`);
  }
}

/** The exact bytes a row's hash covers: the row, its predecessor's hash and the format version. */
export function canonicalRow(row: CanonRow, prevHash: Buffer): string {
  if (!/^\d{1,19}$/.test(row.id)) throw new Error(`canonicalRow: bad id ${row.id}`);
  return canonicalJson({
    v: CHAIN_VERSION,
    id: BigInt(row.id),
    at: row.at,
    user_id: row.user_id,
    action: row.action,
    resource: row.resource,
    args: row.args_json === null ? null : (JSON.parse(row.args_json) as unknown),
    salt_jid: row.salt_jid,
    decision: row.decision,
    result_code: intOrNull(row.result_code),
    duration_ms: intOrNull(row.duration_ms),
    source_ip: row.source_ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    project_ids: row.project_ids,
    incomplete: row.incomplete,
    prev_hash: prevHash.toString('hex'),
  });
}

function intOrNull(n: number | null): bigint | null {
  if (n === null || n === undefined) return null;
  if (!Number.isInteger(n)) throw new Error(`canonicalRow: ${n} is not an integer`);
  return BigInt(n);
}

/** HKDF-SHA256 of a secret into a purpose-bound 32-byte key. */
export function deriveKey(secret: string, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), Buffer.from(label, 'utf8'), 32));
}

export function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function rowHash(key: Buffer, row: CanonRow, prevHash: Buffer): Buffer {
  return hmac(key, canonicalRow(row, prevHash));
}

/** The MAC of a chain position (head, anchor, checkpoint): binds seq, id, hash and what it is. */
export function positionMac(key: Buffer, kind: 'head' | 'anchor' | 'checkpoint', seq: string, id: string | null, hash: Buffer, at?: string): Buffer {
  return hmac(key, canonicalJson({ v: CHAIN_VERSION, kind, seq: BigInt(seq), id: id === null ? null : BigInt(id), hash: hash.toString('hex'), at }));
}

export function sameBytes(a: Buffer | null | undefined, b: Buffer | null | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * The chain keys: the current secret's first (it signs), then every previous secret's, so rows
 * sealed before a rotation keep verifying. A short fingerprint names a key without revealing it.
 */
export class ChainKeys {
  readonly keys: { key: Buffer; fingerprint: string }[];

  constructor(secret: string, previousSecrets: readonly string[] = []) {
    this.keys = [secret, ...previousSecrets].map((s) => {
      const key = deriveKey(s, CHAIN_KEY_LABEL);
      return { key, fingerprint: hmac(key, 'fingerprint').toString('hex').slice(0, 12) };
    });
  }

  get signing(): Buffer {
    return this.keys[0].key;
  }

  get fingerprint(): string {
    return this.keys[0].fingerprint;
  }

  /** The index of the first key that produced `mac` over `data()`, or -1. */
  match(mac: Buffer | null, compute: (key: Buffer) => Buffer): number {
    if (!mac) return -1;
    for (let i = 0; i < this.keys.length; i++) if (sameBytes(compute(this.keys[i].key), mac)) return i;
    return -1;
  }
}
