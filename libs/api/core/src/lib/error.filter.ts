import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import type { ErrorEnvelope } from '@sylvite/contracts';
import type { SylviteRequest } from './request-context';

/** One envelope for every error: `{statusCode, error, message}`; never a stack trace to a client. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, message, headers } = describe(exception);
    if (status >= 500) this.logger.error({ err: exception, path: req.path }, message);
    const body: ErrorEnvelope & Record<string, unknown> = {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message,
      requestId: String((req as SylviteRequest).id ?? ''),
    };
    const extra = exception instanceof HttpException ? exception.getResponse() : undefined;
    if (extra && typeof extra === 'object' && 'detail' in extra) body['detail'] = (extra as { detail: unknown }).detail;
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json(body);
  }
}

function describe(exception: unknown): { status: number; message: string; headers: Record<string, string> } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const r = exception.getResponse();
    let message = exception.message;
    if (typeof r === 'object' && r && 'message' in r) {
      const m = (r as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    } else if (typeof r === 'string') message = r;
    const headers = (exception as HttpException & { headers?: Record<string, string> }).headers ?? {};
    return { status, message, headers };
  }
  const err = exception as { type?: string; status?: number; message?: string };
  if (isClientDataError(exception)) {
    return { status: HttpStatus.BAD_REQUEST, message: 'bad request: a value is not valid for its type or out of range', headers: {} };
  }
  // body-parser errors (malformed JSON, too large) carry their own 4xx status.
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    return { status: err.status, message: err.type === 'entity.parse.failed' ? 'body: malformed JSON' : (err.message ?? 'bad request'), headers: {} };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error', headers: {} };
}

/**
 * PostgreSQL's class 22 (data exception): a client's value the column type cannot hold (NUL in
 * text, a date that does not exist, a number out of range). The client's fault, so 400, not 500.
 */
export function isClientDataError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null;
  return e?.name === 'QueryFailedError' && typeof e.code === 'string' && e.code.startsWith('22');
}

/** An HttpException that also sets response headers (Retry-After). */
export class HttpErrorWithHeaders extends HttpException {
  constructor(status: number, message: string, readonly headers: Record<string, string>, extra?: Record<string, unknown>) {
    super({ message, ...extra }, status);
  }
}
