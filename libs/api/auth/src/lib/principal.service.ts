import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { SESSION_COOKIE, type MembershipDto } from '@sylvite/contracts';
import { sqlRows, type AuthenticatedPrincipal } from '@sylvite/api-core';
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
 * Who is calling: a session cookie or an `Authorization: Bearer` API token, resolved to a user and
 * the union of their grants. Extra grant sources (project memberships) register themselves here so
 * the one policy engine sees every grant.
 */
@Injectable()
export class PrincipalService {
  private readonly sources: ((userId: string) => Promise<string[]>)[] = [];
  private membershipSource: ((userId: string) => Promise<MembershipDto[]>) | null = null;

  constructor(private readonly db: DataSource, private readonly sessions: SessionsService) {}

  addGrantSource(source: (userId: string) => Promise<string[]>): void {
    this.sources.push(source);
  }

  /** Where `GET /api/auth/me` finds the caller's project memberships (the projects module). */
  setMembershipSource(source: (userId: string) => Promise<MembershipDto[]>): void {
    this.membershipSource = source;
  }

  async membershipsFor(userId: string): Promise<MembershipDto[]> {
    return this.membershipSource ? this.membershipSource(userId) : [];
  }

  async grantsFor(userId: string): Promise<UserGrants | null> {
    const rows: { id: string; username: string; disabled: boolean; permissions: string[] | null }[] = await this.db.query(
      `SELECT u.id, u.username, u.disabled,
              (SELECT array_agg(DISTINCT p) FROM user_roles ur JOIN roles r ON r.id = ur.role_id, unnest(r.permissions) p
                WHERE ur.user_id = u.id) AS permissions
         FROM users u WHERE u.id = $1`,
      [userId],
    );
    const r = rows[0];
    if (!r) return null;
    const permissions = new Set(r.permissions ?? []);
    for (const source of this.sources) for (const g of await source(userId)) permissions.add(g);
    return { id: r.id, username: r.username, disabled: r.disabled, permissions: [...permissions] };
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
    const s = await this.sessions.resolve(cookie);
    if (!s) return null;
    const u = await this.grantsFor(s.user_id);
    if (!u || u.disabled) return null;
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
    const rows = await sqlRows<{ id: string; user_id: string; permissions: string[] }>(this.db, 
      `UPDATE api_tokens SET last_used_at = now()
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
        RETURNING id, user_id, permissions`,
      [sha256(token)],
    );
    const t = rows[0];
    if (!t) throw new InvalidCredentialsError('invalid or expired API token');
    const u = await this.grantsFor(t.user_id);
    if (!u || u.disabled) throw new InvalidCredentialsError('invalid or expired API token');
    // A token never holds more than its owner holds now.
    const permissions = t.permissions.filter((p) => coveredBy(p, u.permissions));
    return {
      userId: u.id,
      username: u.username,
      permissions,
      isAdmin: permissions.includes('*:*:*'),
      via: 'token',
      tokenId: t.id,
    };
  }
}
