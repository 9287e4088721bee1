import { createHmac } from 'node:crypto';
import { ChainKeys, GENESIS_HASH, canonicalJson, canonicalRow, deriveKey, positionMac, rowHash, type CanonRow } from './canonical';

const ROW: CanonRow = {
  id: '42', at: '2024-05-06T07:08:09.123456Z', user_id: null, action: 'user.create', resource: 'user:alice',
  args_json: '{"body": {"username": "alice", "roles": ["viewer"]}, "n": 1.5}', salt_jid: null, decision: 'allow',
  result_code: 201, duration_ms: 7, source_ip: '10.0.0.1', user_agent: 'curl', request_id: 'r1', project_ids: [], incomplete: false,
};

describe('canonical serialization', () => {
  it('should sort keys at every depth and drop whitespace when serializing', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}');
  });

  it('should write bigints as integer literals and refuse non-finite numbers', () => {
    expect(canonicalJson({ id: 9007199254740993n })).toBe('{"id":9007199254740993}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
  });

  it('should carry the version, explicit nulls, the previous hash and integers in a row', () => {
    const text = canonicalRow(ROW, GENESIS_HASH);
    expect(text.startsWith('{"action":"user.create","args":{"body":{"roles":["viewer"],"username":"alice"},"n":1.5}')).toBe(true);
    expect(text).toContain('"id":42,');
    expect(text).toContain('"salt_jid":null');
    expect(text).toContain(`"prev_hash":"${'0'.repeat(64)}"`);
    expect(text).toContain('"v":1');
  });

  it('should give the same hash whatever order the arguments were stored in', () => {
    const key = deriveKey('k'.repeat(40), 'sylvite-audit-chain-v1');
    const reordered = { ...ROW, args_json: '{"n": 1.5, "body": {"roles": ["viewer"], "username": "alice"}}' };
    expect(rowHash(key, reordered, GENESIS_HASH).equals(rowHash(key, ROW, GENESIS_HASH))).toBe(true);
  });

  it('should change the hash when any field or the previous hash changes', () => {
    const key = deriveKey('k'.repeat(40), 'sylvite-audit-chain-v1');
    const base = rowHash(key, ROW, GENESIS_HASH);
    expect(rowHash(key, { ...ROW, result_code: 500 }, GENESIS_HASH).equals(base)).toBe(false);
    expect(rowHash(key, { ...ROW, at: '2024-05-06T07:08:09.123457Z' }, GENESIS_HASH).equals(base)).toBe(false);
    expect(rowHash(key, ROW, Buffer.alloc(32, 1)).equals(base)).toBe(false);
  });

  it('should be HMAC-SHA256 under the HKDF-derived key, which external verifiers can recompute', () => {
    const key = deriveKey('k'.repeat(40), 'sylvite-audit-chain-v1');
    const expected = createHmac('sha256', key).update(canonicalRow(ROW, GENESIS_HASH)).digest();
    expect(rowHash(key, ROW, GENESIS_HASH).equals(expected)).toBe(true);
  });

  it('should accept a MAC from a previous secret and name which key matched', () => {
    const keys = new ChainKeys('new'.repeat(12), ['old'.repeat(12)]);
    const oldKey = deriveKey('old'.repeat(12), 'sylvite-audit-chain-v1');
    const mac = positionMac(oldKey, 'head', '5', '9', GENESIS_HASH);
    expect(keys.match(mac, (k) => positionMac(k, 'head', '5', '9', GENESIS_HASH))).toBe(1);
    expect(keys.match(mac, (k) => positionMac(k, 'head', '6', '9', GENESIS_HASH))).toBe(-1);
    expect(keys.match(null, (k) => k)).toBe(-1);
  });
});
