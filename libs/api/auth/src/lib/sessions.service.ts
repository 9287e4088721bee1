import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@sylvite/api-core';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface SessionRow {
  id: string;
  user_id: string;
  expires_at: Date;
}

/**
 * Server-side sessions: the cookie holds a random secret, the table its SHA-256. A session ends at
 * its absolute expiry or after the idle timeout, whichever comes first.
 */
@Injectable()
export class SessionsService {
  constructor(private readonly db: DataSource, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async create(userId: string, ip: string | null, ua: string | null): Promise<{ token: string; id: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const id = sha256(token);
    const expiresAt = new Date(Date.now() + this.config.auth.sessionAbsoluteHours * 3600_000);
    await this.db.query(
      `INSERT INTO sessions (id, user_id, expires_at, source_ip, user_agent) VALUES ($1, $2, $3, $4, $5)`,
      [id, userId, expiresAt, ip, ua?.slice(0, 512) ?? null],
    );
    return { token, id, expiresAt };
  }

  /**
   * The live session for a cookie secret, touching `last_seen_at` at most once a minute. `also`
   * lets a caller load more in the same statement: `join` is added after `FROM sessions s`, and
   * `columns` (which must not reuse the names `id`, `user_id`, `expires_at`, `stale`) to the
   * select list — the principal loads its user and grants this way, in one round trip.
   */
  async resolve<T extends object = object>(token: string, also?: { join: string; columns: string }): Promise<(SessionRow & T) | null> {
    const id = sha256(token);
    // A read, not a write, on almost every request: the row is touched only once it is a minute stale.
    const rows: (SessionRow & T & { stale?: boolean })[] = await this.db.query(
      `SELECT s.id, s.user_id, s.expires_at, s.last_seen_at < now() - interval '60 seconds' AS stale${also ? `, ${also.columns}` : ''}
         FROM sessions s ${also?.join ?? ''}
        WHERE s.id = $1 AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => $2)`,
      [id, this.config.auth.sessionIdleMinutes],
    );
    const s = rows[0];
    if (!s) return null;
    if (s.stale) await this.db.query('UPDATE sessions SET last_seen_at = now() WHERE id = $1', [id]);
    delete s.stale;
    return s;
  }

  async isLive(id: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM sessions WHERE id = $1 AND expires_at > now() AND last_seen_at > now() - make_interval(mins => $2)`,
      [id, this.config.auth.sessionIdleMinutes],
    );
    return rows.length > 0;
  }

  async revoke(id: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE id = $1', [id]);
  }

  async revokeAllFor(userId: string, exceptId?: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE user_id = $1 AND id <> $2', [userId, exceptId ?? '']);
  }

  async purgeExpired(): Promise<void> {
    await this.db.query(
      `DELETE FROM sessions WHERE expires_at < now() OR last_seen_at < now() - make_interval(mins => $1)`,
      [this.config.auth.sessionIdleMinutes],
    );
  }

  /** The CSRF token bound to a session: an HMAC an attacker cannot forge without the secret. */
  xsrfFor(sessionId: string): string {
    return createHmac('sha256', this.config.auth.secret).update('xsrf:' + sessionId).digest('base64url');
  }

  xsrfValid(sessionId: string, header: string | undefined, cookie: string | undefined): boolean {
    if (!header || !cookie || header !== cookie) return false;
    const want = Buffer.from(this.xsrfFor(sessionId));
    const got = Buffer.from(header);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}
