import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { SESSION_COOKIE, type MembershipDto } from '@sylvite/contracts';
import type { AuthenticatedPrincipal } from '@sylvite/api-core';
import { SessionsService, sha256 } from './sessions.service';
import { coveredBy } from './token-scope';

export class InvalidCredentialsError extends Error {}

interface UserGrants {
  id: string;
  username: string;
  disabled: boolean;
  permissions: string[];
}

/**
 * Grants that come from outside the roles (project memberships): a scalar SQL subquery over the
 * user row `u` (correlate on `u.id`), evaluated in the same statement that loads the caller, and
 * the function that turns its value (as node-postgres returns it; NULL when nothing matched) into
 * grant strings. So a principal costs one round trip, and every change applies to the next request.
 */
export interface GrantSource {
  sql: string;
  grants: (value: unknown) => string[];
}

/** The user columns one principal statement selects over `users u` (prefixed: no clash with the session's). */
interface UserColumns {
  u_username: string;
  u_disabled: boolean;
  u_permissions: string[] | null;
  [source: `u_source_${number}`]: unknown;
}

/**
 * Who is calling: a session cookie or an `Authorization: Bearer` API token, resolved to a user and
 * the union of their grants. Extra grant sources (project memberships) register themselves here so
 * the one policy engine sees every grant; they are read in the same statement as the session or
 * token, the user and the roles (no cache: a revocation applies to the very next request).
 */
@Injectable()
export class PrincipalService {
  private readonly sources: GrantSource[] = [];
  private membershipSource: ((userId: string) => Promise<MembershipDto[]>) | null = null;
  private columnsSql: string | null = null;

  constructor(private readonly db: DataSource, private readonly sessions: SessionsService) {}

  addGrantSource(source: GrantSource): void {
    this.sources.push(source);
    this.columnsSql = null;
  }

  /** Where `GET /api/auth/me` finds the caller's project memberships (the projects module). */
  setMembershipSource(source: (userId: string) => Promise<MembershipDto[]>): void {
    this.membershipSource = source;
  }

  async membershipsFor(userId: string): Promise<MembershipDto[]> {
    return this.membershipSource ? this.membershipSource(userId) : [];
  }

  /** The select list of the user `u`: name, disabled flag, roles' permissions, and each grant source. */
  private userColumns(): string {
    this.columnsSql ??= [
      'u.username AS u_username',
      'u.disabled AS u_disabled',
      `(SELECT array_agg(DISTINCT p) FROM user_roles ur JOIN roles r ON r.id = ur.role_id, unnest(r.permissions) p
         WHERE ur.user_id = u.id) AS u_permissions`,
      ...this.sources.map((s, i) => `(${s.sql}) AS u_source_${i}`),
    ].join(',\n       ');
    return this.columnsSql;
  }

  private toGrants(id: string, r: UserColumns): UserGrants {
    const permissions = new Set(r.u_permissions ?? []);
    this.sources.forEach((source, i) => {
      for (const g of source.grants(r[`u_source_${i}`])) permissions.add(g);
    });
    return { id, username: r.u_username, disabled: r.u_disabled, permissions: [...permissions] };
  }

  async grantsFor(userId: string): Promise<UserGrants | null> {
    const rows: UserColumns[] = await this.db.query(`SELECT ${this.userColumns()} FROM users u WHERE u.id = $1`, [userId]);
    return rows[0] ? this.toGrants(userId, rows[0]) : null;
  }

  /** Null when the request carries no credentials; throws when it carries bad ones. */
  async authenticate(req: Request): Promise<AuthenticatedPrincipal | null> {
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) throw new InvalidCredentialsError('Authorization: expected "Bearer <token>"');
      return this.fromToken(m[1]);
    }
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!cookie) return null;
    // One statement: the session, its user, the roles' permissions and every grant source.
    const s = await this.sessions.resolve<UserColumns>(cookie, { join: 'JOIN users u ON u.id = s.user_id', columns: this.userColumns() });
    if (!s) return null;
    const u = this.toGrants(s.user_id, s);
    if (u.disabled) return null;
    return {
      userId: u.id,
      username: u.username,
      permissions: u.permissions,
      isAdmin: u.permissions.includes('*:*:*'),
      via: 'session',
      sessionId: s.id,
      sessionExpiresAt: s.expires_at,
    };
  }

  private async fromToken(token: string): Promise<AuthenticatedPrincipal> {
    // One statement: the token, its owner, the roles' permissions and every grant source. A read:
    // `last_used_at` is written at most once a minute (like a session's `last_seen_at`).
    const rows: (UserColumns & { t_id: string; t_user_id: string; t_permissions: string[]; t_stale: boolean })[] = await this.db.query(
      `SELECT t.id AS t_id, t.user_id AS t_user_id, t.permissions AS t_permissions,
              (t.last_used_at IS NULL OR t.last_used_at < now() - interval '60 seconds') AS t_stale,
              ${this.userColumns()}
         FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
      [sha256(token)],
    );
    const t = rows[0];
    if (!t) throw new InvalidCredentialsError('invalid or expired API token');
    const u = this.toGrants(t.t_user_id, t);
    if (u.disabled) throw new InvalidCredentialsError('invalid or expired API token');
    if (t.t_stale) await this.db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [t.t_id]);
    // A token never holds more than its owner holds now.
    const permissions = t.t_permissions.filter((p) => coveredBy(p, u.permissions));
    return {
      userId: u.id,
      username: u.username,
      permissions,
      isAdmin: permissions.includes('*:*:*'),
      via: 'token',
      tokenId: t.t_id,
    };
  }
}
