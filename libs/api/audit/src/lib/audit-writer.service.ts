import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown, OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ROW_NAMES, JsonText, auditRowValues } from './audit-row';
import { AuditChain } from './chain/audit-chain.service';

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
export class AuditUnavailableError extends ServiceUnavailableException {
  constructor(message = 'audit log unavailable: the request was not carried out') {
    super(message);
  }
}

const FLUSH_MS = 100;
const FLUSH_ROWS = 500;
const MAX_BUFFER = 50_000;

/**
 * Two ways in. `writeNow` is durable before it returns (mutating requests, logins: fail closed).
 * `enqueue` buffers rows of reads and denials, flushed every ≤100 ms, at 500 rows and on shutdown,
 * so auditing every read does not halve throughput (PERFORMANCE.md, "Audit writes").
 *
 * Durable rows are written unsealed (one statement, no chain lock) and sealed by the same flush,
 * in batches; rows a crash leaves unsealed are sealed on the next start and by AuditChainJobs.
 */
@Injectable()
export class AuditWriter implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(AuditWriter.name);
  private buffer: AuditRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dropped = 0;
  /** Finished rows may be waiting for their seal (set at start: a previous process may have left some). */
  private sealDue = true;

  constructor(private readonly db: DataSource, private readonly chain: AuditChain) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /**
   * Flushes while the database is still open: TypeORM closes its pool in its own
   * onApplicationShutdown, which may run before this service's.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Rows of requests that finished while the server was closing; best effort. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    if (this.buffer.length) await this.flush();
  }

  /**
   * Durable when it resolves, in one statement. A finished row (it has its result code) is sealed
   * by the next flush; a mutating request's row is pending until `complete` writes its outcome,
   * and is sealed after that, so the hash covers the final row.
   */
  async writeNow(given: AuditRow): Promise<string> {
    const row = storableRow(given);
    try {
      const values = auditRowValues(row);
      const res: { id: string }[] = await this.db.query(
        `INSERT INTO audit_log (${ROW_NAMES}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
        values,
      );
      if (row.result_code !== null) this.sealDue = true;
      return String(res[0].id);
    } catch (err) {
      this.logger.error({ err }, 'audit insert failed');
      throw new AuditUnavailableError();
    }
  }

  /** Writes a pending row's outcome, durably; the row is sealed by the next flush. */
  async complete(id: string, c: AuditCompletion): Promise<void> {
    try {
      if ((await this.chain.complete(id, c)) === 'completed') this.sealDue = true;
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
    this.buffer.push(storableRow({ ...row, at: row.at ?? new Date() }));
    if (this.buffer.length >= FLUSH_ROWS) void this.flush();
  }

  /** Seals finished rows waiting for it, then writes what is buffered; concurrent callers share one flush. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.buffer.length && !this.sealDue) return;
    const rows = this.buffer.splice(0, FLUSH_ROWS);
    const seal = this.sealDue;
    this.sealDue = false;
    this.flushing = (async () => {
      // Its own transaction: a failing seal must not hold back the buffered rows, nor they it.
      if (seal) {
        try {
          if ((await this.chain.sealFinished(FLUSH_ROWS)) >= FLUSH_ROWS) this.sealDue = true;
        } catch (err) {
          this.sealDue = true;
          this.logger.error({ err }, 'sealing finished audit rows failed; will retry');
        }
      }
      if (!rows.length) return;
      try {
        await this.chain.append(rows);
      } catch (err) {
        // One row the database refuses for its content must not hold back every row queued behind
        // it forever: find it, drop it loudly, and keep the rest for the next tick.
        const failed = isDataError(err) && rows.length > 1 ? await this.insertOneByOne(rows) : rows.map((row) => ({ row, err }));
        const unwritable = failed.filter((f) => isDataError(f.err));
        const retry = failed.filter((f) => !isDataError(f.err)).map((f) => f.row);
        if (unwritable.length) {
          this.dropped += unwritable.length;
          this.logger.error({ err: unwritable[0].err, actions: unwritable.map((f) => f.row.action) }, 'audit rows refused by the database for their content; dropped');
        }
        if (retry.length) {
          this.buffer.unshift(...retry);
          this.logger.error({ err, rows: retry.length }, 'buffered audit flush failed; will retry');
        }
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  /** The rows the database refused, each with its error, after the batch they were in failed. */
  private async insertOneByOne(rows: AuditRow[]): Promise<{ row: AuditRow; err: unknown }[]> {
    const refused: { row: AuditRow; err: unknown }[] = [];
    for (const row of rows) {
      try {
        await this.chain.append([row]);
      } catch (err) {
        refused.push({ row, err });
      }
    }
    return refused;
  }

  get pending(): number {
    return this.buffer.length;
  }
}

/**
 * SQLSTATE class 22 (data exception): the row itself cannot be stored and never will be. Anything
 * else (connection lost, a trigger, a full disk) may pass, so those rows are kept and retried.
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

// NUL and unpaired surrogates: PostgreSQL refuses both in text and jsonb, and they arrive from
// clients (a typed username, a URL-decoded path parameter).
// eslint-disable-next-line no-control-regex -- the NUL is exactly what is replaced
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storable(text: string): string;
function storable(text: string | null): string | null;
function storable(text: string | null): string | null {
  return text === null ? null : text.replace(UNSTORABLE, '\uFFFD');
}

/** The row as PostgreSQL can store it (and as its hash must then cover it). */
function storableRow(r: AuditRow): AuditRow {
  return {
    ...r,
    action: storable(r.action),
    resource: storable(r.resource),
    args_json: storableArgs(r.args_json),
    salt_jid: storable(r.salt_jid ?? null),
    user_agent: storable(r.user_agent),
    request_id: storable(r.request_id),
  };
}

// What JSON.stringify writes for a NUL or a lone surrogate (it escapes both). An escaped backslash
// followed by such text only sends the arguments the slow way.
const UNSTORABLE_ESCAPE = /\\u0000|\\ud[89a-f]/i;

/** The arguments serialized once, as PostgreSQL can store them: rewritten only when they hold what it refuses. */
function storableArgs(args: unknown): unknown {
  if (args === undefined || args === null || args instanceof JsonText) return args;
  const text = JSON.stringify(args) as string | undefined;
  if (text === undefined) return null;
  return new JsonText(UNSTORABLE_ESCAPE.test(text) ? JSON.stringify(storableJson(args)) : text);
}

/** A JSON copy whose every key and string PostgreSQL accepts. */
function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]));
  }
  return value;
}
