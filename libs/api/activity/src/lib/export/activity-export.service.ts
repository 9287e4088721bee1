import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ActivityEventDto, Cursor } from '@sylvite/contracts';
import { elapsedMs, type RequestContext } from '@sylvite/api-core';
import { AuditWriter, auditRowFor } from '@sylvite/api-audit';
import { scopeCategories } from '../activity-scope';
import { ActivityRepository } from '../activity.repository';
import { ActivityService } from '../activity.service';
import { EXPORT_MAX_ROWS, type ActivityExportQueryDto } from '../dto/activity-query.dto';
import { csvHeader, csvLine, exportFileName } from './csv';

const PAGE_ROWS = 1_000;

/** The time range an export covers, for its file name. */
export function exportRange(q: Pick<ActivityExportQueryDto, 'since' | 'until' | 'since_minutes'>, now = new Date()): { from: Date | null; to: Date } {
  const starts = [q.since ? new Date(q.since) : null, q.since_minutes ? new Date(now.getTime() - q.since_minutes * 60_000) : null]
    .filter((d): d is Date => d !== null);
  const from = starts.length ? new Date(Math.max(...starts.map((d) => d.getTime()))) : null;
  const until = q.until ? new Date(q.until) : null;
  return { from, to: until && until < now ? until : now };
}

/**
 * GET /api/activity/export: the filtered feed as CSV or NDJSON, newest first, walked with a keyset
 * cursor one page at a time and paced by the socket, so memory stays flat whatever the size.
 * Always audited as `activity.export`, durably before the first byte (fail closed).
 */
@Injectable()
export class ActivityExportService {
  private readonly logger = new Logger(ActivityExportService.name);

  constructor(private readonly repo: ActivityRepository, private readonly activity: ActivityService, private readonly audit: AuditWriter) {}

  async export(ctx: RequestContext, q: ActivityExportQueryDto, req: Request, res: Response): Promise<void> {
    if (!ctx.principal) throw new ServiceUnavailableException('policy guard did not run');
    const criteria = this.activity.criteriaFor(ctx.principal, q);
    const format = q.format ?? 'csv';
    const max = q.limit ?? EXPORT_MAX_ROWS;
    const { from, to } = exportRange(q);

    let auditId: string;
    try {
      auditId = await this.audit.writeNow({ ...auditRowFor(req, ctx), action: 'activity.export', decision: 'allow', result_code: null, duration_ms: null });
    } catch {
      throw new ServiceUnavailableException('audit log unavailable: the export was not started');
    }
    // The interceptor then leaves this read to the row written here.
    ctx.auditId = auditId;

    let aborted = false;
    res.on('close', () => {
      if (!res.writableFinished) aborted = true;
    });
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(from, to, format)}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const line = format === 'csv' ? csvLine : (r: ActivityEventDto) => JSON.stringify(r) + '\n';
    let status = 200;
    let sent = 0;
    try {
      if (format === 'csv') res.write(csvHeader());
      let before: Cursor | undefined;
      while (!aborted && sent < max && scopeCategories(criteria.scope).length) {
        const rows = await this.repo.older(criteria, before, Math.min(PAGE_ROWS, max - sent));
        if (!rows.length) break;
        if (!res.write(rows.map(line).join(''))) await drained(res);
        sent += rows.length;
        const last = rows[rows.length - 1];
        before = { at: last.occurred_at, id: last.id };
        if (rows.length < PAGE_ROWS) break;
      }
      res.end();
    } catch (err) {
      status = 500;
      this.logger.error({ err, sent }, 'activity export failed part-way');
      res.destroy();
    } finally {
      await this.audit.complete(auditId, { result_code: status, duration_ms: elapsedMs(ctx.startedAt) }).catch(() => undefined);
    }
  }
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
