import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { once } from 'node:events';
import { DataSource } from 'typeorm';
import type { AuditQueryDto } from '../audit-query.dto';
import { AuditRepository } from '../audit.repository';
import { canonColumns } from '../chain/chain.sql';
import { csvLine, fileStamp } from './csv';
import { EXPORT_FIELDS, toExported, type ExportedRow, type RawExportRow } from './export-row';

export type ExportFormat = 'csv' | 'ndjson';

const BATCH = 1000;

/**
 * Streams every row matching the /api/audit filters, oldest first, from a keyset cursor inside one
 * REPEATABLE READ snapshot: no row limit, one batch in memory at a time, and the socket's
 * backpressure respected (a slow reader slows the walk instead of filling the heap).
 */
@Injectable()
export class AuditExportService {
  private readonly logger = new Logger(AuditExportService.name);

  constructor(private readonly db: DataSource, private readonly repo: AuditRepository) {}

  fileName(q: AuditQueryDto, format: ExportFormat, now = new Date()): string {
    const from = q.since ? fileStamp(q.since) : 'start';
    const to = fileStamp(q.until ?? now.toISOString());
    return `sylvite-audit_${from}_${to}.${format}`;
  }

  /** Writes the whole export to `res`; resolves with the number of rows once it ended or the client left. */
  async stream(q: AuditQueryDto, format: ExportFormat, res: Response, opts: { revealSource: boolean }): Promise<number> {
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${this.fileName(q, format)}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    let closed = false;
    res.once('close', () => (closed = true));

    const write = async (chunk: string) => {
      if (closed) return;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    };
    if (format === 'csv') await write(csvLine(EXPORT_FIELDS));

    const qr = this.db.createQueryRunner();
    await qr.connect();
    let count = 0;
    try {
      await qr.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      let after: { at: string; id: string } | null = null;
      while (!closed) {
        const params: unknown[] = [];
        const where = this.repo.buildWhere(q, params);
        if (after) {
          params.push(after.at, after.id);
          where.push(`(a.at, a.id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
        }
        params.push(BATCH);
        const rows: RawExportRow[] = await qr.query(
          `SELECT ${canonColumns('a')}, a.chain_seq::text AS chain_seq, a.prev_hash, a.hash, u.username
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
             ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
            ORDER BY a.at, a.id LIMIT $${params.length}`,
          params,
        );
        if (!rows.length) break;
        const out = rows.map((r) => toExported(r, opts.revealSource));
        await write(out.map((r) => (format === 'csv' ? csvRow(r) : JSON.stringify(r) + '\n')).join(''));
        count += rows.length;
        const lastRow = rows[rows.length - 1];
        after = { at: lastRow.at, id: lastRow.id };
        if (rows.length < BATCH) break;
      }
      await qr.query('COMMIT');
    } catch (err) {
      await qr.query('ROLLBACK').catch(() => undefined);
      this.logger.error({ err, rows: count }, 'audit export failed mid-stream');
      // The status line is gone already: cutting the stream short is how the client learns.
      res.destroy(err instanceof Error ? err : new Error(String(err)));
      return count;
    } finally {
      await qr.release();
    }
    if (!closed) res.end();
    return count;
  }
}

function csvRow(r: ExportedRow): string {
  return csvLine(EXPORT_FIELDS.map((f) => (f === 'project_ids' ? r.project_ids.join(';') : r[f])));
}
