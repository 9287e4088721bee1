import { HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HttpErrorWithHeaders, RateLimiter } from '@sylvite/api-core';
import { PasswordService } from './password.service';

export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MINUTES = 15;
export const IP_FAILURES_PER_WINDOW = 20;
export const IP_WINDOW_SECONDS = 15 * 60;

export interface LoginAttempt {
  username: string;
  password: string;
  ip: string | null;
}

/**
 * Password sign-in with brute-force protection: an account locks for a while after repeated
 * failures and a source address that keeps failing is throttled (429 with Retry-After). Unknown
 * users cost one argon2 verification like known ones, so timing tells nothing.
 */
@Injectable()
export class LoginService {
  constructor(private readonly db: DataSource, private readonly passwords: PasswordService, private readonly limiter: RateLimiter) {}

  async verify(a: LoginAttempt): Promise<{ userId: string; username: string }> {
    const ipKey = `login-fail-ip:${a.ip ?? 'unknown'}`;
    if ((await this.limiter.peek(ipKey, IP_WINDOW_SECONDS)) >= IP_FAILURES_PER_WINDOW) {
      await this.passwords.verify(null, a.password);
      throw tooMany(IP_WINDOW_SECONDS, 'too many failed sign-ins from this address; try again later');
    }
    const rows: { id: string; username: string; password_hash: string; disabled: boolean; locked_for: number | null }[] =
      await this.db.query(
        `SELECT id, username, password_hash, disabled,
                CASE WHEN locked_until > now() THEN ceil(extract(epoch FROM locked_until - now()))::int END AS locked_for
           FROM users WHERE lower(username) = lower($1)`,
        [a.username],
      );
    const u = rows[0];
    const ok = await this.passwords.verify(u?.password_hash, a.password);
    if (u?.locked_for) throw tooMany(u.locked_for, 'account locked after repeated failed sign-ins; try again later');
    if (!u || !ok || u.disabled) {
      await this.limiter.hit(ipKey, IP_WINDOW_SECONDS);
      if (u) {
        await this.db.query(
          `UPDATE users SET failed_logins = failed_logins + 1,
                  locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
            WHERE id = $1`,
          [u.id, LOCK_AFTER_FAILURES, LOCK_MINUTES],
        );
      }
      throw new UnauthorizedException('invalid username or password');
    }
    await this.db.query(`UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1`, [u.id]);
    return { userId: u.id, username: u.username };
  }
}

function tooMany(seconds: number, message: string) {
  return new HttpErrorWithHeaders(HttpStatus.TOO_MANY_REQUESTS, message, { 'Retry-After': String(Math.max(1, seconds)) });
}
