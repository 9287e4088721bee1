import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { sqlRows } from '@sylvite/api-core';
import type { ApiTokenDto, CreatedApiTokenDto } from '@sylvite/contracts';
import { sha256 } from './sessions.service';
import { coveredBy } from './token-scope';

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  expires_at: Date;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toDto = (r: TokenRow): ApiTokenDto => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  permissions: r.permissions,
  expires_at: r.expires_at.toISOString(),
  created_at: r.created_at.toISOString(),
  last_used_at: r.last_used_at?.toISOString() ?? null,
  revoked_at: r.revoked_at?.toISOString() ?? null,
});

/** API tokens for integrators: a subset of the creator's own permissions, stored hashed, shown once. */
@Injectable()
export class TokensService {
  constructor(private readonly db: DataSource) {}

  async list(userId: string): Promise<ApiTokenDto[]> {
    const rows: TokenRow[] = await this.db.query(
      'SELECT id, name, prefix, permissions, expires_at, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC',
      [userId],
    );
    return rows.map(toDto);
  }

  async create(userId: string, held: readonly string[], input: { name: string; permissions: string[]; expires_in_days?: number }): Promise<CreatedApiTokenDto> {
    const beyond = input.permissions.filter((p) => !coveredBy(p, held));
    if (beyond.length) throw new BadRequestException(`permissions: beyond your own: ${beyond.join(', ')}`);
    const prefix = randomBytes(4).toString('hex');
    const token = `syl_${prefix}_${randomBytes(24).toString('base64url')}`;
    const [r]: TokenRow[] = await this.db.query(
      `INSERT INTO api_tokens (user_id, name, prefix, token_hash, permissions, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
       RETURNING id, name, prefix, permissions, expires_at, created_at, last_used_at, revoked_at`,
      [userId, input.name, prefix, sha256(token), [...new Set(input.permissions)], input.expires_in_days ?? 90],
    );
    return { ...toDto(r), token };
  }

  async revoke(userId: string, id: string): Promise<void> {
    const rows = await sqlRows(
      this.db,
      `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id::text = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
    );
    if (!rows.length) throw new NotFoundException(`token ${id} not found`);
  }
}
