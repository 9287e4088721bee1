import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface AuditRow {
  at?: Date;
  user_id: string | null;
  action: string;
  resource: string;
  args_json: unknown;
  salt_jid?: string | null;
  decision: 'allow' | 'deny';
  result_code: number | null;
  duration_ms: number | null;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  project_ids?: string[];
}

export interface AuditCompletion {
  result_code: number;
  duration_ms: number;
  decision?: 'allow' | 'deny';
  salt_jid?: string | null;
  project_ids?: string[];
}

/** Thrown when a row that must be durable could not be written: the request fails closed (503). */
export class AuditUnavailableError extends Error {}

const COLUMNS = [
  'at', 'user_id', 'action', 'resource', 'args_json', 'salt_jid', 'decision', 'result_code',
  'duration_ms', 'source_ip', 'user_agent', 'request_id', 'project_ids',
] as const;
const FLUSH_MS = 100;
const FLUSH_ROWS = 500;
const MAX_BUFFER = 50_000;

/**
 * Two ways in. `writeNow` is durable before it returns (mutating requests, logins: fail closed).
 * `enqueue` buffers rows of reads and denials, flushed every ≤100 ms, at 500 rows and on shutdown,
 * so auditing every read does not halve throughput (PERFORMANCE.md, "Audit writes").
 */
@Injectable()
export class AuditWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditWriter.name);
  private buffer: AuditRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dropped = 0;

  constructor(private readonly db: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    if (this.buffer.length) await this.flush();
  }

  async writeNow(row: AuditRow): Promise<string> {
    try {
      const { sql, params } = insertSql([row]);
      const res: { id: string }[] = await this.db.query(sql + ' RETURNING id', params);
      return String(res[0].id);
    } catch (err) {
      this.logger.error({ err }, 'audit insert failed');
      throw new AuditUnavailableError('audit log unavailable');
    }
  }

  async complete(id: string, c: AuditCompletion): Promise<void> {
    try {
      await this.db.query(
        `UPDATE audit_log SET result_code = $2, duration_ms = $3, decision = COALESCE($4, decision),
           salt_jid = COALESCE($5, salt_jid), project_ids = COALESCE($6::uuid[], project_ids)
         WHERE id = $1`,
        [id, c.result_code, c.duration_ms, c.decision ?? null, c.salt_jid ?? null, c.project_ids ?? null],
      );
    } catch (err) {
      this.logger.error({ err, id }, 'audit completion failed');
      throw new AuditUnavailableError('audit log unavailable');
    }
  }

  enqueue(row: AuditRow): void {
    if (this.buffer.length >= MAX_BUFFER) {
      this.dropped++;
      if (this.dropped % 1000 === 1) this.logger.error({ dropped: this.dropped }, 'audit buffer full');
      return;
    }
    this.buffer.push({ ...row, at: row.at ?? new Date() });
    if (this.buffer.length >= FLUSH_ROWS) void this.flush();
  }

  /** Writes what is buffered; concurrent callers share one flush. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.buffer.length) return;
    const rows = this.buffer.splice(0, FLUSH_ROWS);
    this.flushing = (async () => {
      try {
        const { sql, params } = insertSql(rows);
        await this.db.query(sql, params);
      } catch (err) {
        // Keep the rows for the next tick rather than losing them.
        this.buffer.unshift(...rows);
        this.logger.error({ err, rows: rows.length }, 'buffered audit flush failed; will retry');
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  get pending(): number {
    return this.buffer.length;
  }
}

function insertSql(rows: AuditRow[]): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((r) => {
    const vals = [
      r.at ?? new Date(), r.user_id, r.action, r.resource,
      r.args_json === undefined || r.args_json === null ? null : JSON.stringify(r.args_json),
      r.salt_jid ?? null, r.decision, r.result_code, r.duration_ms, r.source_ip, r.user_agent,
      r.request_id, r.project_ids ?? [],
    ];
    const ph = vals.map((v) => {
      params.push(v);
      return `$${params.length}`;
    });
    return `(${ph.join(', ')})`;
  });
  return { sql: `INSERT INTO audit_log (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params };
}
