import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A plain node:http request (no gzip magic, no redirects): what goes over the wire, comes back. */
export function request(baseUrl: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export const postJson = (baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  request(baseUrl, path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers }, body: JSON.stringify(body) });

export interface LoginResult {
  token: string;
  expire: number;
  start: number;
  user: string;
  eauth: string;
  perms: unknown;
}

export async function login(baseUrl: string, password = 'saltapi', eauth = 'pam'): Promise<LoginResult> {
  const r = await postJson(baseUrl, '/login', { username: 'saltapi', password, eauth });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.json<{ return: LoginResult[] }>().return[0];
}

export interface ParsedEvent {
  tag: string;
  data: Record<string, unknown>;
}

/**
 * A raw `/events` reader over a TCP socket: keeps every byte (headers, chunk framing), and
 * decodes the chunked body into events as they arrive.
 */
export class RawStream {
  readonly raw: Buffer[] = [];
  status = 0;
  headerBlock = '';
  /** De-chunked body. */
  body = '';
  ended = false;
  errored = false;
  private waiters: Array<() => void> = [];
  private readonly sock;
  private pending = Buffer.alloc(0);
  private headerDone = false;
  private markEnded: () => void = () => undefined;
  /** The response is over: its last chunk arrived, or the connection went away. */
  readonly closed: Promise<void>;
  /** The body ended with the chunked terminator (a clean EOF, the socket may stay open). */
  cleanEnd = false;

  constructor(baseUrl: string, path: string, headers: Record<string, string> = {}) {
    const url = new URL(path, baseUrl);
    this.sock = connect(Number(url.port), url.hostname);
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Accept: text/event-stream', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
    this.sock.write(lines.join('\r\n'));
    this.sock.on('data', (c: Buffer) => this.onData(c));
    this.closed = new Promise((resolve) => {
      this.markEnded = () => {
        this.ended = true;
        this.notify();
        resolve();
      };
      this.sock.on('close', () => this.markEnded());
      this.sock.on('error', () => {
        this.errored = true;
      });
    });
  }

  private onData(c: Buffer): void {
    this.raw.push(c);
    this.pending = Buffer.concat([this.pending, c]);
    if (!this.headerDone) {
      const i = this.pending.indexOf('\r\n\r\n');
      if (i < 0) return;
      this.headerBlock = this.pending.subarray(0, i).toString('latin1');
      this.status = Number(this.headerBlock.split(' ')[1]);
      this.pending = this.pending.subarray(i + 4);
      this.headerDone = true;
    }
    for (;;) {
      const i = this.pending.indexOf('\r\n');
      if (i < 0) break;
      const size = parseInt(this.pending.subarray(0, i).toString('latin1'), 16);
      if (Number.isNaN(size) || this.pending.length < i + 2 + size + 2) break;
      this.body += this.pending.subarray(i + 2, i + 2 + size).toString('utf8');
      this.pending = this.pending.subarray(i + 2 + size + 2);
      if (size === 0) {
        this.cleanEnd = true;
        this.markEnded();
        break;
      }
    }
    this.notify();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Whole bytes received so far, headers and chunk framing included. */
  bytes(): Buffer {
    return Buffer.concat(this.raw);
  }

  events(): ParsedEvent[] {
    return this.body
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as ParsedEvent);
  }

  /** Waits until `pred` holds (re-checked on every byte received) or fails after `ms`. */
  async until(pred: (s: RawStream) => boolean, ms = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.events().map((e) => e.tag).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now())));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitForTag(pattern: RegExp | string, count = 1, ms = 5000): Promise<void> {
    const test = (t: string): boolean => (typeof pattern === 'string' ? t === pattern : pattern.test(t));
    return this.until((s) => s.events().filter((e) => test(e.tag)).length >= count, ms, `${count}× ${String(pattern)}`);
  }

  close(): void {
    this.sock.destroy();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
