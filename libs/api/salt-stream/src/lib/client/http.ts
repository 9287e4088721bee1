import * as http from 'node:http';
import * as https from 'node:https';
import { SaltUnavailableError } from './errors';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  agent?: http.Agent | false;
  /** Bodies larger than this are refused (a runaway answer must not exhaust memory). */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const DEFAULT_MAX_BODY = 256 * 1024 * 1024;

/** `ECONNREFUSED 127.0.0.1:8000`, `timeout after 10000 ms`, … */
export function networkReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code) return `${e.code}${e.address ? ` ${e.address}${e.port ? `:${e.port}` : ''}` : ''}`;
  return e instanceof Error ? e.message : String(err);
}

export function transportFor(url: URL): typeof http | typeof https {
  return url.protocol === 'https:' ? https : http;
}

/** One buffered request/response. Network failures become SaltUnavailableError; any status resolves. */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const max = req.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = transportFor(req.url).request(req.url, { method: req.method, headers, agent: req.agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          res.destroy(new Error(`response larger than ${max} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('error', (err) => reject(new SaltUnavailableError(networkReason(err), req.url.origin)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.setTimeout(req.timeoutMs, () => r.destroy(Object.assign(new Error(`timeout after ${req.timeoutMs} ms`), { code: undefined })));
    r.on('error', (err) => reject(new SaltUnavailableError(networkReason(err), req.url.origin)));
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}
