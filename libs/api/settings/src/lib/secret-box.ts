import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'sylvite:settings:secret-box';
const SALT = 'sylvite-settings';

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), SALT, INFO, 32));
}

/**
 * Encrypts settings secrets at rest (the salt-api password): AES-256-GCM with a key derived from
 * SYLVITE_SECRET by HKDF-SHA256, a random 96-bit nonce per value. Values sealed under a previous
 * secret (SYLVITE_PREVIOUS_SECRETS) still open, so the secret can be rotated.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly previous: Buffer[];

  constructor(secret: string, previousSecrets: readonly string[] = []) {
    this.key = keyFrom(secret);
    this.previous = previousSecrets.map(keyFrom);
  }

  /** `v1:<base64url(nonce | tag | ciphertext)>` */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(VERSION));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
  }

  /** The plain text, or null when the value is malformed or sealed under an unknown secret. */
  open(sealed: string): string | null {
    if (!sealed.startsWith(`${VERSION}:`)) return null;
    const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
    if (raw.length < 28) return null;
    const iv = raw.subarray(0, 12);
    const tag = raw.subarray(12, 28);
    const ct = raw.subarray(28);
    for (const key of [this.key, ...this.previous]) {
      try {
        const d = createDecipheriv('aes-256-gcm', key, iv);
        d.setAAD(Buffer.from(VERSION));
        d.setAuthTag(tag);
        return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
      } catch {
        // Wrong key: try the next one.
      }
    }
    return null;
  }
}
