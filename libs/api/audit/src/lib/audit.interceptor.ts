import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor, ServiceUnavailableException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, catchError, from, mergeMap, tap, throwError } from 'rxjs';
import { clientIp, elapsedMs, isClientDataError, redact, requestContext, type RequestContext } from '@sylvite/api-core';
import { SettingsStore } from '@sylvite/api-settings';
import { AuditUnavailableError, AuditWriter, type AuditRow } from './audit-writer.service';
import { AuditProjects } from './audit-projects';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function statusOf(err: unknown): number {
  if (err instanceof HttpException) return err.getStatus();
  if (err instanceof AuditUnavailableError) return 503;
  if (isClientDataError(err)) return 400;
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

/** A refusal found after the guard (out-of-scope target, salt-api down or failing) is a deny. */
function decisionFor(status: number): 'allow' | 'deny' {
  return status === 401 || status === 403 || status === 502 || status === 503 ? 'deny' : 'allow';
}

export function auditRowFor(req: Request, ctx: RequestContext): AuditRow {
  return {
    user_id: ctx.principal?.userId ?? null,
    action: ctx.action ?? 'unknown',
    resource: ctx.resource,
    args_json: redact({ params: req.params, query: req.query, body: req.body }),
    decision: 'allow',
    result_code: null,
    duration_ms: null,
    source_ip: clientIp(req),
    user_agent: req.headers['user-agent']?.slice(0, 512) ?? null,
    request_id: ctx.requestId,
  };
}

/**
 * Records allowed requests (the guard records its own denials, which interceptors never see).
 * A mutating request's row is durable before the handler runs — if it cannot be written the
 * request fails with 503 and nothing happens — and is completed with the final status, duration
 * and Salt jid. Reads are recorded, buffered, when `audit_reads` is on; reads of the audit log always.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly writer: AuditWriter,
    private readonly settings: SettingsStore,
    private readonly projects: AuditProjects,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const ctx = requestContext(req);
    if (!ctx?.action) return next.handle();

    if (!SAFE_METHODS.has(req.method)) {
      const row = auditRowFor(req, ctx);
      return from(this.writer.writeNow(row)).pipe(
        catchError(() =>
          throwError(() => new ServiceUnavailableException('audit log unavailable: the request was not carried out')),
        ),
        mergeMap((id) => {
          ctx.auditId = id;
          return next.handle().pipe(
            mergeMap(async (value) => {
              await this.complete(ctx, res.statusCode);
              return value;
            }),
            catchError((err) => from(this.complete(ctx, statusOf(err))).pipe(mergeMap(() => throwError(() => err)))),
          );
        }),
      );
    }

    const always = ctx.action.startsWith('audit.');
    if (!always && !this.settings.peek<boolean>('audit_reads', false)) return next.handle();
    let recorded = false;
    const record = (status: number) => {
      // A read that wrote its own durable row (an export) is not recorded twice.
      if (recorded || ctx.auditId) return;
      recorded = true;
      const row: AuditRow = {
        ...auditRowFor(req, ctx),
        at: new Date(),
        decision: decisionFor(status),
        result_code: status,
        duration_ms: elapsedMs(ctx.startedAt),
        salt_jid: ctx.saltJid ?? null,
      };
      if (!ctx.minions?.length) this.writer.enqueue(row);
      else void this.projects.for(ctx.minions).then((project_ids) => this.writer.enqueue({ ...row, project_ids }));
    };
    return next.handle().pipe(
      tap({ next: () => record(res.statusCode), complete: () => record(res.statusCode), error: (err) => record(statusOf(err)) }),
    );
  }

  private async complete(ctx: RequestContext, status: number): Promise<void> {
    if (!ctx.auditId) return;
    await this.writer.complete(ctx.auditId, {
      result_code: status,
      duration_ms: elapsedMs(ctx.startedAt),
      decision: decisionFor(status),
      salt_jid: ctx.saltJid ?? null,
      project_ids: await this.projects.for(ctx.minions),
    });
  }
}
