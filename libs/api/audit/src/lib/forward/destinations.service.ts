import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, sqlRows, type AppConfig } from '@sylvite/api-core';
import type { CreateDestinationDto, DestinationView, UpdateDestinationDto } from './destinations.dto';
import { ForwardSecretSeal } from './secret-seal';
import { DestinationUrlError, checkDestinationUrl } from './url-guard';

export interface DestinationRow {
  id: string;
  name: string;
  url: string;
  secret_enc: string;
  action_prefix: string | null;
  decision: 'allow' | 'deny' | null;
  enabled: boolean;
  delivered_seq: string;
  delivered_id: string | null;
  delivered_at: Date | null;
  failures: number;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const DESTINATION_COLUMNS = `id, name, url, secret_enc, action_prefix, decision, enabled, delivered_seq::text AS delivered_seq,
  delivered_id::text AS delivered_id, delivered_at, failures, last_error, last_attempt_at, next_attempt_at, created_at, updated_at`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** SIEM webhook destinations: admin CRUD; secrets sealed at rest and never returned. */
@Injectable()
export class AuditDestinations {
  readonly seal: ForwardSecretSeal;
  readonly allowPrivate: boolean;

  constructor(private readonly db: DataSource, @Inject(APP_CONFIG) config: AppConfig) {
    this.seal = new ForwardSecretSeal(config.auth.secret, config.auth.previousSecrets);
    this.allowPrivate = config.audit.forwardAllowPrivate;
  }

  async list(): Promise<DestinationView[]> {
    const rows: DestinationRow[] = await this.db.query(`SELECT ${DESTINATION_COLUMNS} FROM audit_destinations ORDER BY lower(name)`);
    const head = await this.headSeq();
    return rows.map((r) => this.view(r, head));
  }

  async get(id: string): Promise<DestinationView> {
    return this.view(await this.row(id), await this.headSeq());
  }

  async create(dto: CreateDestinationDto, userId: string | null): Promise<DestinationView> {
    const url = await this.checkUrl(dto.url);
    const start = dto.start === 'beginning' ? 'anchor_seq' : 'head_seq';
    try {
      const [row] = await sqlRows<DestinationRow>(this.db,
        `INSERT INTO audit_destinations (name, url, secret_enc, action_prefix, decision, enabled, delivered_seq, created_by)
         SELECT $1, $2, $3, $4, $5, $6, ${start}, $7 FROM audit_chain_state WHERE id = 1
         RETURNING ${DESTINATION_COLUMNS}`,
        [dto.name.trim(), url, this.seal.seal(dto.secret), emptyToNull(dto.action_prefix), dto.decision ?? null, dto.enabled ?? true, userId],
      );
      return this.view(row, await this.headSeq());
    } catch (err) {
      throw uniqueName(err, dto.name);
    }
  }

  async update(id: string, dto: UpdateDestinationDto): Promise<DestinationView> {
    await this.row(id);
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (dto.name !== undefined) set('name', dto.name.trim());
    if (dto.url !== undefined) set('url', await this.checkUrl(dto.url));
    if (dto.secret !== undefined) set('secret_enc', this.seal.seal(dto.secret));
    if (dto.action_prefix !== undefined) set('action_prefix', emptyToNull(dto.action_prefix));
    if (dto.decision !== undefined) set('decision', dto.decision);
    if (dto.enabled !== undefined) set('enabled', dto.enabled);
    // A changed target or secret deserves a fresh attempt rather than the old backoff.
    sets.push('failures = 0', 'next_attempt_at = NULL', 'updated_at = now()');
    try {
      const [row] = await sqlRows<DestinationRow>(this.db,
        `UPDATE audit_destinations SET ${sets.join(', ')} WHERE id = $1 RETURNING ${DESTINATION_COLUMNS}`, params);
      return this.view(row, await this.headSeq());
    } catch (err) {
      throw uniqueName(err, dto.name ?? '');
    }
  }

  async remove(id: string): Promise<void> {
    const rows = await sqlRows<{ id: string }>(this.db, `DELETE FROM audit_destinations WHERE id = $1 RETURNING id`, [id]);
    if (!rows.length) throw new NotFoundException(`destination ${id} not found`);
  }

  async row(id: string): Promise<DestinationRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundException(`destination ${id} not found`);
    const rows: DestinationRow[] = await this.db.query(`SELECT ${DESTINATION_COLUMNS} FROM audit_destinations WHERE id = $1`, [id]);
    if (!rows.length) throw new NotFoundException(`destination ${id} not found`);
    return rows[0];
  }

  async headSeq(): Promise<bigint> {
    const [{ head }]: { head: string }[] = await this.db.query(`SELECT head_seq::text AS head FROM audit_chain_state WHERE id = 1`);
    return BigInt(head);
  }

  view(r: DestinationRow, head: bigint): DestinationView {
    const behind = head - BigInt(r.delivered_seq);
    return {
      id: r.id, name: r.name, url: r.url, action_prefix: r.action_prefix, decision: r.decision, enabled: r.enabled,
      secret_set: !!r.secret_enc, delivered_seq: r.delivered_seq, delivered_id: r.delivered_id, delivered_at: iso(r.delivered_at),
      backlog: behind > 0n ? Number(behind) : 0, failures: r.failures, last_error: r.last_error,
      last_attempt_at: iso(r.last_attempt_at), next_attempt_at: iso(r.next_attempt_at),
      created_at: iso(r.created_at) ?? '', updated_at: iso(r.updated_at) ?? '',
    };
  }

  private async checkUrl(raw: string): Promise<string> {
    try {
      return (await checkDestinationUrl(raw.trim(), this.allowPrivate)).toString();
    } catch (err) {
      if (err instanceof DestinationUrlError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}

function emptyToNull(v: string | null | undefined): string | null {
  return v === undefined || v === null || v === '' ? null : v;
}

function uniqueName(err: unknown, name: string): unknown {
  return (err as { code?: string }).code === '23505' ? new ConflictException(`name: a destination named "${name}" exists`) : err;
}
