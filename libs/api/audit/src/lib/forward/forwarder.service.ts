import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { Counter, Gauge, register } from 'prom-client';
import { sqlRows } from '@sylvite/api-core';
import { likePrefix } from '../audit.repository';
import { canonColumns } from '../chain/chain.sql';
import { toExported, type RawExportRow } from '../export/export-row';
import { AuditDestinations, DESTINATION_COLUMNS, type DestinationRow } from './destinations.service';
import { checkDestinationUrl } from './url-guard';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): what `X-Sylvite-Signature` carries. */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

function metric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

const backlogGauge = () => metric('sylvite_audit_forward_backlog', () => new Gauge({
  name: 'sylvite_audit_forward_backlog', help: 'Audit chain rows not yet delivered to a forwarding destination', labelNames: ['destination'],
}));
const deliveredCounter = () => metric('sylvite_audit_forward_delivered_total', () => new Counter({
  name: 'sylvite_audit_forward_delivered_total', help: 'Audit rows delivered to forwarding destinations', labelNames: ['destination'],
}));
const failureCounter = () => metric('sylvite_audit_forward_failures_total', () => new Counter({
  name: 'sylvite_audit_forward_failures_total', help: 'Failed audit deliveries (each retried)', labelNames: ['destination'],
}));

class DeliveryError extends Error {}

/**
 * Delivers every sealed audit row to every enabled destination, at least once. The chain is the
 * outbox: each destination keeps a cursor (the last chain position it took), rows go out in chain
 * order, and the cursor moves only after the receiver answered 2xx — so a restart resumes where it
 * stopped and a receiver that is down is retried with exponential backoff without losing a row.
 * A lease keeps two replicas from delivering to the same destination at once.
 */
@Injectable()
export class AuditForwarder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditForwarder.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  private readonly aborts = new Set<AbortController>();
  private readonly gauge = backlogGauge();
  private readonly delivered = deliveredCounter();
  private readonly failed = failureCounter();
  /** Timings; tests shorten them. */
  readonly tuning = { pollMs: 500, backoffBaseMs: 1000, backoffMaxMs: 60_000, batch: 100, batchesPerTurn: 20, timeoutMs: 10_000, leaseMs: 60_000 };

  constructor(private readonly db: DataSource, private readonly destinations: AuditDestinations) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.tuning.pollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const a of this.aborts) a.abort();
    await this.running?.catch(() => undefined);
  }

  /** One pass over every destination that is due; concurrent calls share the pass. */
  tick(): Promise<void> {
    if (this.running || this.stopping) return this.running ?? Promise.resolve();
    this.running = this.pass()
      .catch((err) => this.logger.error({ err }, 'audit forwarding pass failed'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    const rows: DestinationRow[] = await this.db.query(`SELECT ${DESTINATION_COLUMNS} FROM audit_destinations WHERE enabled`);
    const head = await this.destinations.headSeq();
    this.gauge.reset();
    for (const d of rows) this.gauge.set({ destination: d.name }, Number(head - BigInt(d.delivered_seq)));
    await Promise.all(rows.map((d) => this.deliver(d.id).catch((err) => this.logger.error({ err, destination: d.name }, 'audit delivery failed'))));
  }

  /** Delivers what destination `id` is owed, if it is due and no other replica holds it. */
  async deliver(id: string): Promise<void> {
    const leased = await sqlRows<DestinationRow>(this.db,
      `UPDATE audit_destinations SET lease_owner = $2, lease_until = now() + $3::int * interval '1 millisecond'
        WHERE id = $1 AND enabled AND (next_attempt_at IS NULL OR next_attempt_at <= now())
          AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2)
        RETURNING ${DESTINATION_COLUMNS}`,
      [id, this.owner, this.tuning.leaseMs],
    );
    if (!leased.length) return;
    const d = leased[0];
    let cursor = BigInt(d.delivered_seq);
    let lastId = d.delivered_id;
    try {
      const secret = this.destinations.seal.open(d.secret_enc);
      if (secret === null) throw new DeliveryError('the secret cannot be decrypted with the current or previous SYLVITE_SECRET; set it again');
      const url = await checkDestinationUrl(d.url, this.destinations.allowPrivate).catch((err: Error) => {
        throw new DeliveryError(err.message);
      });
      const head = await this.destinations.headSeq();
      for (let turn = 0; turn < this.tuning.batchesPerTurn && !this.stopping; turn++) {
        const rows = await this.pending(d, cursor, head);
        for (const r of rows) {
          await this.post(url, secret, r, d.name);
          cursor = BigInt(r.chain_seq ?? '0');
          lastId = r.id;
        }
        if (rows.length < this.tuning.batch) {
          // Nothing left up to the head: rows the filter skipped are passed too.
          cursor = head > cursor ? head : cursor;
          await this.saveCursor(d.id, cursor, lastId, null);
          break;
        }
        await this.saveCursor(d.id, cursor, lastId, null);
      }
      await this.db.query(`UPDATE audit_destinations SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [d.id, this.owner]);
    } catch (err) {
      const failures = d.failures + 1;
      const delay = Math.min(this.tuning.backoffMaxMs, this.tuning.backoffBaseMs * 2 ** Math.min(failures - 1, 20)) * (0.8 + Math.random() * 0.4);
      const message = err instanceof Error ? err.message : String(err);
      this.failed.inc({ destination: d.name });
      if (failures === 1 || failures % 10 === 0) this.logger.warn({ destination: d.name, failures, err: message }, 'audit delivery failed; retrying with backoff');
      await this.saveCursor(d.id, cursor, lastId, { message: message.slice(0, 500), failures, delayMs: Math.round(delay) });
    }
  }

  private async pending(d: DestinationRow, cursor: bigint, head: bigint): Promise<RawExportRow[]> {
    const params: unknown[] = [cursor.toString(), head.toString(), this.tuning.batch];
    const filters: string[] = [];
    if (d.action_prefix) {
      params.push(likePrefix(d.action_prefix));
      filters.push(`a.action LIKE $${params.length}`);
    }
    if (d.decision) {
      params.push(d.decision);
      filters.push(`a.decision = $${params.length}`);
    }
    // Checkpoints go to every destination whatever its filter: they are what makes a rewrite visible.
    const filter = filters.length ? `AND ((${filters.join(' AND ')}) OR a.action = 'audit.checkpoint')` : '';
    return this.db.query(
      `SELECT ${canonColumns('a')}, a.chain_seq::text AS chain_seq, a.prev_hash, a.hash, u.username
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
        WHERE a.chain_seq > $1::bigint AND a.chain_seq <= $2::bigint ${filter}
        ORDER BY a.chain_seq LIMIT $3`,
      params,
    );
  }

  private async post(url: URL, secret: string, raw: RawExportRow, name: string): Promise<void> {
    const body = JSON.stringify(toExported(raw, true));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(), this.tuning.timeoutMs);
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: abort.signal,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Sylvite-Audit-Forwarder/1',
          'X-Sylvite-Timestamp': timestamp,
          'X-Sylvite-Signature': signDelivery(secret, timestamp, body),
          'X-Sylvite-Delivery': raw.id,
        },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) throw new DeliveryError(`receiver answered ${res.status}`);
      this.delivered.inc({ destination: name });
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new DeliveryError(`POST failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(abort);
    }
  }

  private async saveCursor(id: string, seq: bigint, lastId: string | null, failure: { message: string; failures: number; delayMs: number } | null): Promise<void> {
    await this.db.query(
      `UPDATE audit_destinations SET
         delivered_at = CASE WHEN delivered_seq <> $2::bigint THEN now() ELSE delivered_at END,
         delivered_seq = GREATEST(delivered_seq, $2::bigint), delivered_id = $3::bigint, last_attempt_at = now(),
         failures = $4::int, last_error = $5, next_attempt_at = now() + $6::int * interval '1 millisecond',
         lease_owner = CASE WHEN $4::int > 0 THEN NULL ELSE lease_owner END,
         lease_until = CASE WHEN $4::int > 0 THEN NULL ELSE now() + $7::int * interval '1 millisecond' END
       WHERE id = $1`,
      [id, seq.toString(), lastId, failure?.failures ?? 0, failure?.message ?? null, failure?.delayMs ?? 0, this.tuning.leaseMs],
    );
  }
}
