import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { eventually } from './client';
import type { Api } from './processes';

/** One audit_log row as PostgreSQL holds it (read straight from the api's database). */
export interface AuditRecord {
  id: string;
  at: Date;
  user_id: string | null;
  action: string;
  resource: string;
  args_json: unknown;
  salt_jid: string | null;
  decision: 'allow' | 'deny';
  result_code: number | null;
  duration_ms: number | null;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

/**
 * Direct access to the api's database: suites read the audit log without going through
 * GET /api/audit (which audits itself) and break the database on purpose (fail-closed).
 */
export class AuditDb {
  private constructor(readonly pg: Client) {}

  static async connect(api: Api): Promise<AuditDb> {
    if (!api.db) throw new Error('the api runs on the embedded database: start it with database "fresh-db"');
    const pg = new Client({ connectionString: api.db.url });
    await pg.connect();
    return new AuditDb(pg);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pg.query(sql, params)).rows as T[];
  }

  async byRequestId(requestId: string): Promise<AuditRecord[]> {
    return this.query<AuditRecord>(
      `SELECT a.id::text AS id, a.at, a.user_id, a.action, a.resource, a.args_json, a.salt_jid, a.decision, a.result_code,
              a.duration_ms, host(a.source_ip) AS source_ip, a.user_agent, a.request_id
         FROM audit_log a WHERE a.request_id = $1 ORDER BY a.id`,
      [requestId],
    );
  }

  /** The one row of a request, waiting for the buffered writer (≤100 ms) when needed. */
  async rowOf(requestId: string, timeoutMs = 5000): Promise<AuditRecord> {
    const rows = await eventually(async () => {
      const r = await this.byRequestId(requestId);
      return r.length ? r : null;
    }, timeoutMs);
    if (rows.length !== 1) throw new Error(`expected one audit row for ${requestId}, got ${rows.length}`);
    return rows[0];
  }

  async userId(username: string): Promise<string | null> {
    const rows = await this.query<{ id: string }>('SELECT id FROM users WHERE lower(username) = lower($1)', [username]);
    return rows[0]?.id ?? null;
  }

  close(): Promise<void> {
    return this.pg.end();
  }
}

let counter = 0;

/** A unique, valid X-Request-Id, so a test finds exactly its own audit row. */
export function requestId(label: string): string {
  counter += 1;
  return `${label.replace(/[^A-Za-z0-9._:-]/g, '-')}.${counter}.${randomBytes(4).toString('hex')}`.slice(0, 128);
}

/** `{ 'x-request-id': id }` for a fresh id, and the id. */
export function tagged(label: string): { id: string; headers: Record<string, string> } {
  const id = requestId(label);
  return { id, headers: { 'x-request-id': id } };
}
