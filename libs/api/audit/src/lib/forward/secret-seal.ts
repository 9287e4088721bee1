import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '../chain/canonical';

const LABEL = 'sylvite-forward-secret-v1';
const AAD = Buffer.from('sylvite-forward-secret');

/**
 * Destination secrets at rest: AES-256-GCM under a key derived (HKDF, its own label) from
 * SYLVITE_SECRET; values sealed under a previous secret still open after a rotation.
 */
export class ForwardSecretSeal {
  private readonly keys: Buffer[];

  constructor(secret: string, previousSecrets: readonly string[] = []) {
    this.keys = [secret, ...previousSecrets].map((s) => deriveKey(s, LABEL));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.keys[0], iv);
    c.setAAD(AAD);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1:${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url')}`;
  }

  /** Null when malformed or sealed under a secret no longer known. */
  open(sealed: string): string | null {
    if (!sealed.startsWith('v1:')) return null;
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    if (raw.length < 28) return null;
    for (const key of this.keys) {
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        d.setAAD(AAD);
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      } catch {
        // Not this key: try the next.
      }
    }
    return null;
  }
}
