import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** The one typed configuration, read from the environment and validated once at boot. */
export interface AppConfig {
  http: { host: string; port: number; trustProxy: boolean };
  db: { url: string | null };
  dataDir: string;
  auth: {
    secret: string;
    /** Earlier secrets, still accepted when verifying what the current one did not sign. */
    previousSecrets: string[];
    bootstrapAdmin: { username: string; password: string } | null;
    sessionIdleMinutes: number;
    sessionAbsoluteHours: number;
  };
  salt: { url: string | null; username: string | null; password: string | null; eauth: string; streamEnabled: boolean | null };
  stream: { maxPerUser: number };
  /** Audit forwarding: whether webhook destinations may be loopback or link-local (tests, labs). */
  audit: { forwardAllowPrivate: boolean };
  logLevel: string;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses and validates; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const str = (k: string) => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (k: string, def: number, min: number, max: number) => {
    const v = str(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${k}: must be an integer from ${min} to ${max} (got "${v}")`);
      return def;
    }
    return n;
  };
  const bool = (k: string): boolean | null => {
    const v = str(k);
    if (v === undefined) return null;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    problems.push(`${k}: must be true or false (got "${v}")`);
    return null;
  };
  const url = (k: string, protocols: string[]) => {
    const v = str(k);
    if (v === undefined) return null;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error();
      return v;
    } catch {
      problems.push(`${k}: must be a ${protocols.join(' or ')} URL`);
      return null;
    }
  };

  const host = str('HOST') ?? '127.0.0.1';
  const port = int('PORT', 3000, 0, 65535);
  const dbUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDirRaw = str('SYLVITE_DATA_DIR') ?? '.sylvite';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const logLevel = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  let secret = str('SYLVITE_SECRET');
  if (secret !== undefined && secret.length < 32) problems.push('SYLVITE_SECRET: must be at least 32 characters');
  const previousSecrets = (str('SYLVITE_PREVIOUS_SECRETS') ?? '').split(',').map((s) => s.trim()).filter(Boolean);

  const bu = str('SYLVITE_BOOTSTRAP_ADMIN_USERNAME');
  const bp = env['SYLVITE_BOOTSTRAP_ADMIN_PASSWORD'];
  if ((bu === undefined) !== (bp === undefined || bp === '')) {
    problems.push('SYLVITE_BOOTSTRAP_ADMIN_USERNAME and SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: set both or neither');
  }
  if (bp !== undefined && bp !== '' && bp.length < 12) problems.push('SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: must be at least 12 characters');
  if (bu !== undefined && !/^[A-Za-z0-9._@-]{1,64}$/.test(bu)) {
    problems.push('SYLVITE_BOOTSTRAP_ADMIN_USERNAME: letters, digits, . _ @ - (1-64)');
  }

  const saltUrl = url('SALT_API_URL', ['http:', 'https:']);
  const eauth = str('SALT_API_EAUTH') ?? 'pam';
  const streamEnabled = bool('SYLVITE_EVENT_STREAM');
  const idle = int('SYLVITE_SESSION_IDLE_MINUTES', 120, 1, 60 * 24 * 30);
  const absolute = int('SYLVITE_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 90);
  const maxPerUser = int('SYLVITE_STREAMS_PER_USER', 8, 1, 1000);
  const trustProxy = bool('SYLVITE_TRUST_PROXY') ?? false;
  const forwardAllowPrivate = bool('SYLVITE_FORWARD_ALLOW_PRIVATE') ?? false;

  if (problems.length) throw new ConfigError(problems);

  if (secret === undefined) secret = loadOrCreateSecret(dataDir);
  return {
    http: { host, port, trustProxy },
    db: { url: dbUrl },
    dataDir,
    auth: {
      secret,
      previousSecrets,
      bootstrapAdmin: bu && bp ? { username: bu, password: bp } : null,
      sessionIdleMinutes: idle,
      sessionAbsoluteHours: absolute,
    },
    salt: { url: saltUrl, username: str('SALT_API_USERNAME') ?? null, password: env['SALT_API_PASSWORD'] ?? null, eauth, streamEnabled },
    stream: { maxPerUser },
    audit: { forwardAllowPrivate },
    logLevel,
  };
}

/** `SYLVITE_SECRET` unset: generated once and kept in the data folder (0600). */
function loadOrCreateSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const s = randomBytes(32).toString('base64url');
  writeFileSync(file, s + '\n', { mode: 0o600 });
  return s;
}
