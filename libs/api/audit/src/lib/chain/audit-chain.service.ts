import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@sylvite/api-core';
import { ROW_COLUMNS, ROW_NAMES, auditRowValues, columnArrays, rowsFromColumns } from '../audit-row';
import type { AuditCompletion, AuditRow } from '../audit-writer.service';
import { ChainKeys, positionMac, rowHash, type CanonRow } from './canonical';
import { ChainLock, LOCK_NS, canonColumns, lockChainSql, normalizeCanon, readStateSql, type ChainState } from './chain.sql';

export interface ChainHead {
  seq: bigint;
  id: string | null;
  hash: Buffer;
}

export type SealOutcome = 'sealed' | 'late' | 'missing';

const SYSTEM_ROW = { user_id: null, source_ip: null, user_agent: null, request_id: null, decision: 'allow' as const };

/**
 * The only writer of the hash chain. Every append happens in one transaction holding the append
 * advisory lock: read the head, hash, insert, move the head, commit — so the chain order is the
 * commit order across every connection and replica, and the unique index on `prev_hash` turns any
 * attempt to fork into an error. A batch of buffered rows is sealed in one such transaction.
 */
@Injectable()
export class AuditChain {
  private readonly logger = new Logger(AuditChain.name);
  readonly keys: ChainKeys;
  private sequence: string | null = null;

  constructor(private readonly db: DataSource, @Inject(APP_CONFIG) config: AppConfig) {
    this.keys = new ChainKeys(config.auth.secret, config.auth.previousSecrets);
  }

  /** Inserts finished rows already sealed; durable when this resolves. Returns their ids in order. */
  async append(rows: AuditRow[]): Promise<string[]> {
    if (!rows.length) return [];
    return this.db.transaction(async (em) => {
      const head = await this.lockAndReadHead(em);
      const { ids, head: next } = await this.appendLocked(em, head, rows);
      await this.writeHead(em, next);
      return ids;
    });
  }

  /**
   * Writes the outcome of a pending row: one statement, durable when this resolves. The row is
   * sealed afterwards, in a batch (`sealFinished`, or `sealAbandoned` after a crash); the trigger
   * lets nothing but its seal change it from now on. A row the abandoned-row sealer got to first
   * gets its outcome appended as an `audit.late_completion` row (see `seal`).
   */
  async complete(id: string, c: AuditCompletion): Promise<SealOutcome | 'completed'> {
    const [, updated]: [unknown, number] = await this.db.query(
      `UPDATE audit_log SET result_code = $2, duration_ms = $3, decision = COALESCE($4::text, decision),
         salt_jid = COALESCE($5::text, salt_jid), project_ids = COALESCE($6::uuid[], project_ids)
       WHERE id = $1::bigint AND hash IS NULL AND result_code IS NULL`,
      [id, c.result_code, c.duration_ms, c.decision ?? null, c.salt_jid ?? null, c.project_ids ?? null],
    );
    return updated ? 'completed' : this.seal(id, c);
  }

  /**
   * Writes the outcome of a pending row and seals it, in one step, so the hash covers the final
   * row. A row the abandoned-row sealer got to first is left as it is and the outcome is appended
   * as an `audit.late_completion` row.
   */
  async seal(id: string, c: AuditCompletion): Promise<SealOutcome> {
    const outcome = await this.db.transaction(async (em): Promise<SealOutcome> => {
      const head = await this.lockAndReadHead(em);
      const params = [id, c.result_code, c.duration_ms, c.decision ?? null, c.salt_jid ?? null, c.project_ids ?? null];
      const rows: CanonRow[] = await em.query(
        `SELECT ${canonColumns('t')} FROM (
           SELECT a.id, a.at, a.user_id, a.action, a.resource, a.args_json, COALESCE($5::text, a.salt_jid) AS salt_jid,
                  COALESCE($4::text, a.decision) AS decision, $2::int AS result_code, $3::int AS duration_ms, a.source_ip,
                  a.user_agent, a.request_id, COALESCE($6::uuid[], a.project_ids) AS project_ids, false AS incomplete
             FROM audit_log a WHERE a.id = $1::bigint AND a.hash IS NULL AND a.result_code IS NULL FOR UPDATE) t`,
        params,
      );
      if (!rows.length) {
        const sealed: { user_id: string | null; request_id: string | null; action: string; decision: 'allow' | 'deny' }[] =
          await em.query(`SELECT user_id, request_id, action, decision FROM audit_log WHERE id = $1::bigint`, [id]);
        if (!sealed.length) return 'missing';
        const o = sealed[0];
        const { head: next } = await this.appendLocked(em, head, [{
          ...SYSTEM_ROW, user_id: o.user_id, request_id: o.request_id, action: 'audit.late_completion', resource: `audit:${id}`,
          args_json: { audit_id: id, action: o.action, ...c }, decision: c.decision ?? o.decision, result_code: c.result_code,
          duration_ms: c.duration_ms, salt_jid: c.salt_jid ?? null,
        }]);
        await this.writeHead(em, next);
        return 'late';
      }
      const row = normalizeCanon(rows[0]);
      const seq = head.seq + 1n;
      const hash = rowHash(this.keys.signing, row, head.hash);
      await em.query(
        `UPDATE audit_log SET result_code = $2, duration_ms = $3, decision = COALESCE($4::text, decision),
           salt_jid = COALESCE($5::text, salt_jid), project_ids = COALESCE($6::uuid[], project_ids),
           chain_seq = $7::bigint, prev_hash = $8, hash = $9
         WHERE id = $1::bigint AND hash IS NULL`,
        [...params, seq.toString(), head.hash, hash],
      );
      await this.writeHead(em, { seq, id, hash });
      return 'sealed';
    });
    if (outcome === 'late') this.logger.warn({ id }, 'audit row was sealed as incomplete before its request finished; outcome appended');
    return outcome;
  }

  /**
   * Seals rows left pending: by a process that ended mid-request (older than `olderThanMs`, sealed
   * with `incomplete = true` and no result code), and finished rows still unsealed a minute after
   * their request started (their process stopped before its flush sealed them, or rows from before
   * the chain). The writers seal fresher finished rows themselves (`sealFinished`).
   */
  async sealAbandoned(olderThanMs: number, limit = 500): Promise<number> {
    return this.sealPending(olderThanMs, limit);
  }

  /**
   * Seals finished rows waiting for their seal (completed mutations, sign-ins), oldest first, in
   * one transaction: the buffered writer calls it after requests completed, and `sealAbandoned`
   * also picks them up after a crash. Returns how many it sealed.
   */
  async sealFinished(limit = 500): Promise<number> {
    return this.sealPending(null, limit);
  }

  private async sealPending(abandonedAfterMs: number | null, limit: number): Promise<number> {
    return this.db.transaction(async (em) => {
      const head = await this.lockAndReadHead(em);
      const which = abandonedAfterMs === null
        ? 'a.result_code IS NOT NULL'
        : `a.at < now() - $2::int * interval '1 millisecond' OR (a.result_code IS NOT NULL AND a.at < now() - interval '1 minute')`;
      const rows: CanonRow[] = await em.query(
        `SELECT ${canonColumns('t')} FROM (
           SELECT a.id, a.at, a.user_id, a.action, a.resource, a.args_json, a.salt_jid, a.decision, a.result_code,
                  a.duration_ms, a.source_ip, a.user_agent, a.request_id, a.project_ids, (a.result_code IS NULL) AS incomplete
             FROM audit_log a
            WHERE a.hash IS NULL AND (${which})
            ORDER BY a.id LIMIT $1 FOR UPDATE SKIP LOCKED) t
         ORDER BY t.id`,
        abandonedAfterMs === null ? [limit] : [limit, Math.max(0, Math.round(abandonedAfterMs))],
      );
      if (!rows.length) return 0;
      let { seq, hash: prev } = head;
      const cols: unknown[][] = [[], [], [], [], []];
      for (const r of rows.map(normalizeCanon)) {
        seq += 1n;
        const hash = rowHash(this.keys.signing, r, prev);
        [r.id, r.incomplete, seq.toString(), prev, hash].forEach((v, i) => cols[i].push(v));
        prev = hash;
      }
      await em.query(
        `UPDATE audit_log a SET incomplete = v.incomplete, chain_seq = v.seq, prev_hash = v.prev, hash = v.hash
           FROM unnest($1::bigint[], $2::boolean[], $3::bigint[], $4::bytea[], $5::bytea[]) v(id, incomplete, seq, prev, hash)
          WHERE a.id = v.id AND a.hash IS NULL`,
        cols,
      );
      await this.writeHead(em, { seq, id: rows[rows.length - 1].id, hash: prev });
      return rows.length;
    });
  }

  /**
   * A signed checkpoint of the head (seq, id, hash, time), written into the log itself as an
   * `audit.checkpoint` row — which the forwarder ships off-box — so a rewritten table no longer
   * matches what was published. One replica at a time; nothing when nothing happened since the last.
   */
  async checkpoint(minIntervalMs = 0): Promise<{ id: string; seq: string } | null> {
    return this.db.transaction(async (em) => {
      const [{ ok }]: { ok: boolean }[] = await em.query(`SELECT pg_try_advisory_xact_lock(${LOCK_NS}, ${ChainLock.Checkpoint}) AS ok`);
      if (!ok) return null;
      const head = await this.lockAndReadHead(em);
      const state = await this.readState(em);
      if (head.seq === 0n || !head.id) return null;
      if (state.last_checkpoint_at && Date.now() - state.last_checkpoint_at.getTime() < minIntervalMs) return null;
      const last: { action: string }[] = await em.query(`SELECT action FROM audit_log WHERE id = $1::bigint`, [head.id]);
      if (last[0]?.action === 'audit.checkpoint') return null;
      const at = new Date().toISOString();
      const signature = positionMac(this.keys.signing, 'checkpoint', head.seq.toString(), head.id, head.hash, at);
      const { ids, head: next } = await this.appendLocked(em, head, [{
        ...SYSTEM_ROW, action: 'audit.checkpoint', resource: 'audit:chain', result_code: 200, duration_ms: 0,
        args_json: {
          head_seq: head.seq.toString(), head_id: head.id, head_hash: head.hash.toString('hex'), at,
          key: this.keys.fingerprint, signature: signature.toString('hex'),
        },
      }]);
      await this.writeHead(em, next);
      await em.query(`UPDATE audit_chain_state SET last_checkpoint_at = now() WHERE id = 1`);
      return { id: ids[0], seq: next.seq.toString() };
    });
  }

  // ── building blocks for jobs that must append inside their own transaction (retention) ──

  async lockAndReadHead(em: EntityManager): Promise<ChainHead> {
    await em.query(lockChainSql);
    const s = await this.readState(em);
    return { seq: BigInt(s.head_seq), id: s.head_id, hash: s.head_hash };
  }

  async readState(em: EntityManager | DataSource): Promise<ChainState> {
    const rows: ChainState[] = await em.query(readStateSql);
    if (!rows.length) throw new Error('audit_chain_state is missing: the AuditChain migration has not run');
    return rows[0];
  }

  /**
   * Inserts `rows` sealed after `head`; the caller holds the append lock and writes the new head.
   * Two statements whatever the batch size: one reads the rows back with their ids in the text
   * forms the hash covers, one inserts them sealed (each with one array parameter per column).
   */
  async appendLocked(em: EntityManager, head: ChainHead, rows: AuditRow[]): Promise<{ ids: string[]; head: ChainHead }> {
    const seqName = await this.sequenceName(em);
    // Computed once: a row without `at` gets its time here, and the insert must use that same value.
    const columns = columnArrays(rows.map((r) => auditRowValues(r)));
    const canon: CanonRow[] = await em.query(
      `SELECT ${canonColumns('v')} FROM (
         SELECT x.n, nextval('${seqName}') AS id, ${ROW_NAMES.replace('project_ids', 'x.project_ids::uuid[] AS project_ids')},
                false AS incomplete
           FROM ${rowsFromColumns(1, 'x')}) v
       ORDER BY v.n`,
      columns,
    );
    let { seq, hash: prev } = head;
    const ids: string[] = [];
    const seqs: string[] = [];
    const prevs: Buffer[] = [];
    const hashes: Buffer[] = [];
    for (const c of canon) {
      seq += 1n;
      const hash = rowHash(this.keys.signing, normalizeCanon(c), prev);
      ids.push(c.id);
      seqs.push(seq.toString());
      prevs.push(prev);
      hashes.push(hash);
      prev = hash;
    }
    const k = ROW_COLUMNS.length;
    // `canon` is in row order (ORDER BY n), so the arrays line up with `columns`.
    await em.query(
      `INSERT INTO audit_log (id, ${ROW_NAMES}, chain_seq, prev_hash, hash) OVERRIDING SYSTEM VALUE
       SELECT s.id, ${ROW_NAMES.replace('project_ids', 'x.project_ids::uuid[]')}, s.seq, s.prev, s.hash
         FROM ${rowsFromColumns(1, 'x')}
         JOIN unnest($${k + 1}::bigint[], $${k + 2}::bigint[], $${k + 3}::bytea[], $${k + 4}::bytea[]) WITH ORDINALITY s(id, seq, prev, hash, n)
           ON s.n = x.n`,
      [...columns, ids, seqs, prevs, hashes],
    );
    return { ids, head: { seq, id: ids[ids.length - 1], hash: prev } };
  }

  async writeHead(em: EntityManager, head: ChainHead): Promise<void> {
    const mac = positionMac(this.keys.signing, 'head', head.seq.toString(), head.id, head.hash);
    await em.query(
      `UPDATE audit_chain_state SET head_seq = $1::bigint, head_id = $2::bigint, head_hash = $3, head_mac = $4, updated_at = now() WHERE id = 1`,
      [head.seq.toString(), head.id, head.hash, mac],
    );
  }

  private async sequenceName(em: EntityManager): Promise<string> {
    if (!this.sequence) {
      const [{ name }]: { name: string }[] = await em.query(`SELECT pg_get_serial_sequence('audit_log', 'id') AS name`);
      if (!/^[A-Za-z0-9_."]+$/.test(name)) throw new Error(`unexpected sequence name ${name}`);
      this.sequence = name;
    }
    return this.sequence;
  }
}
