import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource, type QueryRunner } from 'typeorm';
import { SettingsStore } from '@sylvite/api-settings';
import { positionMac } from '../chain/canonical';
import { AuditChain } from '../chain/audit-chain.service';
import { ChainLock, LOCK_NS } from '../chain/chain.sql';

export const AUDIT_RETENTION_KEY = 'audit_retention_days';
export const AUDIT_RETENTION_DEFAULT = 365;
export const AUDIT_RETENTION_MIN = 30;
const DAY_MS = 86_400_000;

export interface PurgeBatch {
  removed: number;
  first_id: string;
  last_id: string;
  first_seq: string;
  last_seq: string;
  anchor_hash: string;
  purge_row_id: string;
}

export interface PurgeResult {
  days: number;
  cutoff: string | null;
  removed: number;
  batches: PurgeBatch[];
  /** Why it stopped before the cutoff, when it did. */
  held_back_by: 'forwarding' | null;
}

/**
 * Removes audit rows older than the retention window, oldest first along the chain, in bounded
 * batches. Each batch is one transaction under the append lock: delete a contiguous prefix of the
 * chain, move the anchor to the last removed row's hash (signed), and append a `retention.purge`
 * row saying what went — so the chain stays verifiable from its new anchor. One replica at a time.
 */
@Injectable()
export class AuditRetentionService {
  private readonly logger = new Logger(AuditRetentionService.name);

  constructor(private readonly db: DataSource, private readonly chain: AuditChain, private readonly settings: SettingsStore) {}

  async days(): Promise<number> {
    const v = await this.settings.get<number>(AUDIT_RETENTION_KEY, AUDIT_RETENTION_DEFAULT);
    return Number.isInteger(v) && (v === 0 || v >= AUDIT_RETENTION_MIN) ? v : AUDIT_RETENTION_DEFAULT;
  }

  @Interval('audit-retention', 60 * 60 * 1000)
  async scheduled(): Promise<void> {
    try {
      const r = await this.purge();
      if (r?.removed) this.logger.log({ removed: r.removed, cutoff: r.cutoff }, 'audit retention purge');
      if (r?.held_back_by) this.logger.warn({ cutoff: r.cutoff }, 'audit retention held back: a forwarding destination has not received older rows yet');
    } catch (err) {
      this.logger.error({ err }, 'audit retention purge failed');
    }
  }

  /** Null when another replica is purging right now. */
  async purge(opts: { now?: Date; batchSize?: number; maxBatches?: number } = {}): Promise<PurgeResult | null> {
    const days = await this.days();
    const result: PurgeResult = { days, cutoff: null, removed: 0, batches: [], held_back_by: null };
    if (days === 0) return result;
    const cutoff = new Date((opts.now ?? new Date()).getTime() - days * DAY_MS);
    result.cutoff = cutoff.toISOString();
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      const [{ ok }]: { ok: boolean }[] = await qr.query(`SELECT pg_try_advisory_lock(${LOCK_NS}, ${ChainLock.Retention}) AS ok`);
      if (!ok) return null;
      try {
        for (let i = 0; i < (opts.maxBatches ?? 100); i++) {
          const batch = await this.purgeBatch(qr, cutoff, days, opts.batchSize ?? 5000, result);
          if (!batch) break;
          result.batches.push(batch);
          result.removed += batch.removed;
        }
      } finally {
        await qr.query(`SELECT pg_advisory_unlock(${LOCK_NS}, ${ChainLock.Retention})`);
      }
    } finally {
      await qr.release();
    }
    return result;
  }

  private async purgeBatch(qr: QueryRunner, cutoff: Date, days: number, size: number, result: PurgeResult): Promise<PurgeBatch | null> {
    const started = Date.now();
    await qr.startTransaction();
    try {
      await qr.query(`SET LOCAL sylvite.retention = 'on'`);
      const em = qr.manager;
      const head = await this.chain.lockAndReadHead(em);
      const state = await this.chain.readState(em);
      // Rows a forwarding destination has not received yet stay, so forwarding never loses one.
      const [{ held }]: { held: string | null }[] = await qr.query(
        `SELECT min(delivered_seq)::text AS held FROM audit_destinations WHERE enabled`,
      );
      const limit = held === null ? head.seq : BigInt(held);
      const rows: { seq: string; id: string; at: Date; hash: Buffer }[] = await qr.query(
        `SELECT chain_seq::text AS seq, id::text AS id, at, hash FROM audit_log
          WHERE chain_seq > $1::bigint ORDER BY chain_seq LIMIT $2`,
        [state.anchor_seq, size],
      );
      let expected = BigInt(state.anchor_seq) + 1n;
      let n = 0;
      for (const r of rows) {
        if (r.at >= cutoff || BigInt(r.seq) !== expected) break;
        if (BigInt(r.seq) > limit) {
          result.held_back_by = 'forwarding';
          break;
        }
        expected++;
        n++;
      }
      if (!n) {
        await qr.commitTransaction();
        return null;
      }
      const first = rows[0];
      const last = rows[n - 1];
      const deleted = await qr.query(
        `DELETE FROM audit_log WHERE chain_seq > $1::bigint AND chain_seq <= $2::bigint`,
        [state.anchor_seq, last.seq],
      );
      const removed = Array.isArray(deleted) && typeof deleted[1] === 'number' ? deleted[1] : n;
      const anchorMac = positionMac(this.chain.keys.signing, 'anchor', last.seq, last.id, last.hash);
      await qr.query(
        `UPDATE audit_chain_state SET anchor_seq = $1::bigint, anchor_id = $2::bigint, anchor_hash = $3, anchor_mac = $4 WHERE id = 1`,
        [last.seq, last.id, last.hash, anchorMac],
      );
      const anchorHash = last.hash.toString('hex');
      const { ids, head: next } = await this.chain.appendLocked(em, head, [{
        user_id: null, source_ip: null, user_agent: null, request_id: null, decision: 'allow',
        action: 'retention.purge', resource: 'audit:retention', result_code: 200, duration_ms: Date.now() - started,
        args_json: {
          removed, first_id: first.id, last_id: last.id, first_seq: first.seq, last_seq: last.seq,
          first_at: first.at.toISOString(), last_at: last.at.toISOString(),
          cutoff: cutoff.toISOString(), retention_days: days, anchor_hash: anchorHash,
        },
      }]);
      await this.chain.writeHead(em, next);
      await qr.commitTransaction();
      return { removed, first_id: first.id, last_id: last.id, first_seq: first.seq, last_seq: last.seq, anchor_hash: anchorHash, purge_row_id: ids[0] };
    } catch (err) {
      await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  }
}
