import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * salt-api could not be reached (refused, reset, DNS, TLS, timeout). An HttpException so that a
 * route calling salt-api answers 503 through the global error filter without a try/catch.
 */
export class SaltUnavailableError extends HttpException {
  constructor(readonly reason: string, readonly url: string | null = null) {
    super(`salt-api unreachable: ${reason}`, HttpStatus.SERVICE_UNAVAILABLE);
    this.name = 'SaltUnavailableError';
  }
}

/**
 * salt-api answered with a non-2xx status. Its error bodies are CherryPy HTML pages (PROTOCOL.md
 * §2.1), kept as opaque text. Routes answer 502: the fault is upstream, not the caller's.
 */
export class SaltApiError extends HttpException {
  constructor(
    /** The status salt-api answered (401, 400, 500, …). */
    readonly saltStatus: number,
    /** The body, trimmed and bounded; HTML stripped to text. */
    readonly text: string,
    readonly path: string,
  ) {
    super(`salt-api ${path} answered ${saltStatus}${text ? `: ${text}` : ''}`, HttpStatus.BAD_GATEWAY);
    this.name = 'SaltApiError';
  }
}

/** Salt connection settings are incomplete (no URL or no username): nothing to connect to. */
export class SaltNotConfiguredError extends HttpException {
  constructor(missing: string) {
    super(`salt-api is not configured: ${missing}`, HttpStatus.SERVICE_UNAVAILABLE);
    this.name = 'SaltNotConfiguredError';
  }
}

/** A short, single-line text version of an error body (CherryPy's HTML error page or JSON). */
export function errorText(body: string, max = 300): string {
  let text = body;
  const pre = /<pre id="traceback">[\s\S]*?<\/pre>/i;
  text = text.replace(pre, ' ');
  const p = /<p>([\s\S]*?)<\/p>/i.exec(text);
  if (/<html/i.test(text)) text = p ? p[1] : text.replace(/<title>[\s\S]*?<\/title>/i, ' ');
  text = text.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
