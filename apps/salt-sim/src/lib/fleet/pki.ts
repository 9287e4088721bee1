import { createHash } from 'node:crypto';
import { Rng } from '../util/rng';

/**
 * A stand-in for a minion's RSA public key: the real 2048-bit SubjectPublicKeyInfo prefix
 * followed by seeded random bytes, PEM-wrapped like the `pub` field of `salt/auth`. Generating
 * real key pairs would cost ~50 ms each and buy nothing: nobody verifies them.
 */
export function fakePublicKey(rng: Rng): string {
  const prefix = Buffer.from('30820122300d06092a864886f70d01010105000382010f00', 'hex');
  const body = Buffer.alloc(270);
  for (let i = 0; i < body.length; i++) body[i] = rng.int(0, 255);
  const b64 = Buffer.concat([prefix, body]).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----`;
}

/** `salt-key -f`: sha256 over the DER, colon-separated hex (`hash_type: sha256`). */
export function fingerprint(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const hex = createHash('sha256').update(der).digest('hex');
  return hex.match(/../g)?.join(':') ?? hex;
}
