import { randomBytes, timingSafeEqual } from 'node:crypto';
import { pyFloat } from '../util/pyjson';
import { nowMicros } from '../util/time';

/** A Salt eauth token as the master keeps it (`localfs` token store). */
export interface EauthToken {
  token: string;
  start: number;
  expire: number;
  name: string;
  eauth: string;
}

/** A CherryPy RAM session: `session["token"]` holds the eauth token. */
export interface Session {
  id: string;
  token?: string;
  /** Sliding expiry, ms since the epoch. */
  expiresAt: number;
  timeoutMs: number;
}

export const PERMS = ['.*', '@jobs', '@runner', '@wheel'];
const EAUTH_BACKENDS = new Set(['pam', 'auto']);
const HEX = /^[0-9a-fA-F]+$/;

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Two clocks, as in salt-api: eauth tokens live on the master and expire absolutely; sessions
 * live in salt-api's RAM (a restart forgets them) and slide.
 */
export class AuthStore {
  private readonly tokens = new Map<string, EauthToken>();
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly tokenExpireSeconds: number,
  ) {}

  /** PAM/auto eauth against the one configured account. */
  authenticate(username: unknown, password: unknown, eauth: unknown): boolean {
    if (typeof username !== 'string' || typeof password !== 'string' || typeof eauth !== 'string') return false;
    if (!EAUTH_BACKENDS.has(eauth)) return false;
    return sameString(username, this.user) && sameString(password, this.password);
  }

  mkToken(name: string, eauth: string): EauthToken {
    const start = pyFloat(nowMicros() / 1e6, 6);
    const t: EauthToken = { token: randomBytes(32).toString('hex'), start, expire: pyFloat(start + this.tokenExpireSeconds, 6), name, eauth };
    this.tokens.set(t.token, t);
    return t;
  }

  /** `LoadAuth.get_tok`: an expired token is deleted on lookup. */
  getToken(token: string | undefined): EauthToken | null {
    if (!token) return null;
    const t = this.tokens.get(token);
    if (!t) return null;
    if (Date.now() / 1000 > t.expire) {
      this.tokens.delete(token);
      return null;
    }
    return t;
  }

  /** CherryPy's `random20()`: 40 lowercase hex characters. */
  newSessionId(): string {
    return randomBytes(20).toString('hex');
  }

  /** A live session (sliding expiry refreshed on use). */
  getSession(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (Date.now() > s.expiresAt) {
      this.sessions.delete(id);
      return undefined;
    }
    s.expiresAt = Date.now() + s.timeoutMs;
    return s;
  }

  saveSession(id: string, token: EauthToken): Session {
    const timeoutMs = (token.expire - token.start) * 1000;
    const s: Session = { id, token: token.token, timeoutMs, expiresAt: Date.now() + timeoutMs };
    this.sessions.set(id, s);
    return s;
  }

  deleteSession(id: string): void {
    this.sessions.delete(id);
  }

  /** What a salt-api restart does to `X-Auth-Token`s; eauth tokens survive on the master. */
  clearSessions(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  /** Ends every eauth token's life now (simulates reaching `token_expire`). */
  expireAllTokens(): number {
    const now = Date.now() / 1000 - 0.001;
    for (const t of this.tokens.values()) t.expire = now;
    return this.tokens.size;
  }

  /** The eauth token behind a session, if both are alive. */
  sessionToken(s: Session | undefined): EauthToken | null {
    return s ? this.getToken(s.token) : null;
  }

  /**
   * `Events._is_valid_token`: must be hex; a session id is looked up in the RAM session cache
   * (no sliding refresh), anything else is taken as a raw eauth token.
   */
  isValidStreamToken(authToken: string | undefined): boolean {
    if (!authToken || !HEX.test(authToken)) return false;
    const s = this.sessions.get(authToken);
    const saltToken = s?.token ?? authToken;
    return this.getToken(saltToken) !== null;
  }

  counts(): { sessions: number; tokens: number } {
    return { sessions: this.sessions.size, tokens: this.tokens.size };
  }
}
