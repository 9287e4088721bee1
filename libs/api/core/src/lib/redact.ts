import { REDACTED } from '@sylvite/contracts';

const SECRET_KEYS = new Set([
  'password', 'passwd', 'pw', 'secret', 'token', 'api_key', 'apikey', 'authorization',
  'new_password', 'current_password', 'private_key', 'privatekey', 'priv_key', 'key_material',
  'salt_token', 'client_secret', 'cookie',
]);

/** Keys that name key material or credentials, case-insensitively, in any spelling seen in the wild. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  if (SECRET_KEYS.has(k)) return true;
  return /(password|passwd|secret|token|private[_-]?key|api[_-]?key)/.test(k);
}

/** A deep copy with every secret value replaced by `"<redacted>"`; the input is never touched. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return REDACTED;
  return value;
}
