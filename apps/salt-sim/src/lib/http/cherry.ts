import { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { pyDumps } from '../util/pyjson';
import { httpDate } from '../util/time';

export const SERVER_HEADER = 'CherryPy/18.9.0';
const CHERRYPY_VERSION = '18.9.0';

/** Python's `http.HTTPStatus` phrase and description, with CherryPy's overrides for 500 and 503. */
const STATUS: Record<number, [string, string]> = {
  200: ['OK', 'Request fulfilled, document follows'],
  202: ['Accepted', 'Request accepted, processing continues off-line'],
  400: ['Bad Request', 'Bad request syntax or unsupported method'],
  401: ['Unauthorized', 'No permission -- see authorization schemes'],
  403: ['Forbidden', 'Request forbidden -- authorization will not help'],
  404: ['Not Found', 'Nothing matches the given URI'],
  405: ['Method Not Allowed', 'Specified method is invalid for this resource'],
  406: ['Not Acceptable', 'URI not available in preferred format'],
  413: ['Request Entity Too Large', 'Entity is too large'],
  500: ['Internal Server Error', 'The server encountered an unexpected condition which prevented it from fulfilling the request.'],
  503: ['Service Unavailable', 'The server is currently unable to handle the request due to a temporary overloading or maintenance of the server.'],
  504: ['Gateway Timeout', 'The gateway server did not receive a timely response'],
};

export function reason(status: number): string {
  return STATUS[status]?.[0] ?? 'Unknown';
}

/** CherryPy's `escape_html` as the error page calls it: quotes are left alone. */
function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** CherryPy's default error page (`_cperror._HTTPErrorTemplate`), tracebacks off as in production. */
export function errorPage(status: number, message?: string): string {
  const st = `${status} ${reason(status)}`;
  const msg = escapeHtml(message || STATUS[status]?.[1] || '');
  return `<!DOCTYPE html PUBLIC
"-//W3C//DTD XHTML 1.0 Transitional//EN"
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"></meta>
    <title>${st}</title>
    <style type="text/css">
    #powered_by {
        margin-top: 20px;
        border-top: 2px solid black;
        font-style: italic;
    }

    #traceback {
        color: red;
    }
    </style>
</head>
    <body>
        <h2>${st}</h2>
        <p>${msg}</p>
        <pre id="traceback"></pre>
    <div id="powered_by">
      <span>
        Powered by <a href="http://www.cherrypy.dev">CherryPy ${CHERRYPY_VERSION}</a>
      </span>
    </div>
    </body>
</html>
`;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

interface Coding {
  value: string;
  q: number;
}

function parseList(header: string): Coding[] {
  return header
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [value, ...params] = p.split(';').map((s) => s.trim());
      const qp = params.find((x) => x.startsWith('q='));
      return { value: value.toLowerCase(), q: qp ? Number(qp.slice(2)) : 1 };
    })
    .sort((a, b) => b.q - a.q);
}

/**
 * CherryPy's gzip tool: with no Accept-Encoding, identity; otherwise the first acceptable of
 * identity/gzip wins, and when neither is acceptable the answer is 406 "identity, gzip".
 */
export function negotiateEncoding(req: IncomingMessage): 'identity' | 'gzip' | 'none' {
  const header = req.headers['accept-encoding'];
  if (header === undefined || header.trim() === '') return 'identity';
  for (const c of parseList(header)) {
    if (c.value === 'identity' && c.q !== 0) return 'identity';
    if (c.value === 'gzip' || c.value === 'x-gzip') return c.q === 0 ? 'identity' : 'gzip';
  }
  return 'none';
}

/** `cptools.accept` for the JSON/YAML endpoints: null means 406. */
export function negotiateType(req: IncomingMessage): 'application/json' | 'application/x-yaml' | null {
  const header = req.headers['accept'];
  if (!header || header.trim() === '') return 'application/json';
  for (const c of parseList(header)) {
    if (c.q === 0) continue;
    if (c.value === 'application/json' || c.value === 'application/*' || c.value === '*/*') return 'application/json';
    if (c.value === 'application/x-yaml') return 'application/x-yaml';
  }
  return null;
}

/** Everything a response needs to look like it came out of rest_cherrypy. */
export interface ReplyContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Methods the MethodDispatcher found on the resource (for `Allow`). */
  allow: string;
  /** `Set-Cookie` for session-enabled resources. */
  cookie?: string;
  encoding: 'identity' | 'gzip';
  extraHeaders?: Array<[string, string]>;
}

function baseHeaders(ctx: ReplyContext): Array<[string, string]> {
  const origin = ctx.req.headers['origin'];
  const h: Array<[string, string]> = [
    ['Access-Control-Allow-Origin', typeof origin === 'string' ? origin : '*'],
    ['Access-Control-Expose-Headers', 'GET, POST'],
    ['Access-Control-Allow-Credentials', 'true'],
    ['Allow', ctx.allow],
    ['Vary', 'Accept-Encoding'],
  ];
  if (ctx.cookie) h.push(['Set-Cookie', ctx.cookie]);
  return h;
}

function send(ctx: ReplyContext, status: number, contentType: string, body: Buffer, compressible: boolean): void {
  const headers = baseHeaders(ctx);
  for (const h of ctx.extraHeaders ?? []) headers.push(h);
  let payload = body;
  if (compressible && ctx.encoding === 'gzip' && body.length > 0) {
    payload = gzipSync(body, { level: 5 });
    headers.push(['Content-Encoding', 'gzip']);
  }
  headers.push(['Content-Type', contentType], ['Content-Length', String(payload.length)], ['Date', httpDate(Date.now())], ['Server', SERVER_HEADER]);
  ctx.res.writeHead(status, reason(status), headers.flat());
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : payload);
}

/** A `hypermedia_handler` response: Python-style JSON (JSON is valid YAML for x-yaml clients). */
export function sendData(ctx: ReplyContext, status: number, data: unknown, contentType = 'application/json'): void {
  send(ctx, status, contentType, Buffer.from(pyDumps(data)), false);
}

/** A `cherrypy.HTTPError`: the HTML page, gzipped when the client accepts it (text/html is in the gzip tool's list). */
export function sendError(ctx: ReplyContext, status: number, message?: string): void {
  send(ctx, status, 'text/html;charset=utf-8', Buffer.from(errorPage(status, message)), true);
}

/** `hypermedia_handler`'s catch-all: the only JSON error salt-api sends. */
export function sendUnexpected(ctx: ReplyContext): void {
  send(ctx, 500, 'application/json', Buffer.from(pyDumps({ status: 500, return: 'An unexpected error occurred' })), false);
}

/** `session_id=<id>; expires=<date>; Path=/` as Python's SimpleCookie prints it. */
export function sessionCookie(id: string, expiresMs: number): string {
  return `session_id=${id}; expires=${httpDate(expiresMs)}; Path=/`;
}
