import { HttpErrorResponse } from '@angular/common/http';
import type { ErrorEnvelope } from '@sylvite/contracts';

/** What a page needs to show about a failed call, whatever shape the failure came in. */
export interface ApiError {
  /** HTTP status; 0 when the server could not be reached. */
  status: number;
  message: string;
  /** From `Retry-After` on 429/503: how long to wait, in whole seconds. */
  retryAfterSeconds: number | null;
  requestId: string | null;
}

const FALLBACK_MESSAGES: Readonly<Record<number, string>> = {
  0: 'Cannot reach the Sylvite server. Check your connection and try again.',
  400: 'The request was not accepted.',
  401: 'You are not signed in.',
  403: "You don't have permission to do this.",
  404: 'Not found.',
  409: 'This conflicts with the current state. Reload and try again.',
  429: 'Too many requests. Wait a moment and try again.',
  503: 'The service is unavailable right now.',
};

function isEnvelope(body: unknown): body is Partial<ErrorEnvelope> & { message?: unknown } {
  return typeof body === 'object' && body !== null && 'message' in body;
}

function envelopeMessage(body: unknown): string | null {
  if (!isEnvelope(body)) return null;
  // Validation errors may arrive as a list of messages; show them all.
  if (Array.isArray(body.message)) return body.message.filter((m) => typeof m === 'string').join('; ') || null;
  return typeof body.message === 'string' && body.message.trim() ? body.message : null;
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export function toApiError(error: unknown, now: number = Date.now()): ApiError {
  if (error instanceof HttpErrorResponse) {
    const status = error.status;
    const requestId =
      error.headers?.get('X-Request-Id') ?? (isEnvelope(error.error) ? (error.error.requestId ?? null) : null);
    return {
      status,
      message:
        envelopeMessage(error.error) ??
        FALLBACK_MESSAGES[status] ??
        (status >= 500 ? `The server could not complete the request (${status}).` : `Request failed (${status}).`),
      retryAfterSeconds: parseRetryAfter(error.headers?.get('Retry-After') ?? null, now),
      requestId: typeof requestId === 'string' ? requestId : null,
    };
  }
  return {
    status: 0,
    message: error instanceof Error && error.message ? error.message : 'Something went wrong.',
    retryAfterSeconds: null,
    requestId: null,
  };
}
