import type { ClientRequest, IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser, type ParseError } from 'eventsource-parser';
import { errorText } from '../client/errors';
import { networkReason, transportFor } from '../client/http';

export interface EventStreamHandlers {
  /** 200 with an event-stream body: subscribed (salt-api subscribes before its first byte). */
  onOpen?(): void;
  /** Raw bytes arrived (liveness, last_byte_at). */
  onBytes?(bytes: number): void;
  /** One `data:` payload: the event's JSON text, `{"data": …, "tag": …}`. */
  onEvent(json: string): void;
}

export type StreamEnd =
  /** The server ended the response (token expiry on 3005+, salt-api stopping). */
  | { kind: 'eof' }
  /** A non-200 answer; 401 means log in again. */
  | { kind: 'http'; status: number; text: string }
  /** Refused, reset, timed out before the headers, TLS. */
  | { kind: 'network'; reason: string }
  /** An event larger than the configured bound. */
  | { kind: 'oversize'; reason: string }
  /** We closed it (replaced, stopped, liveness probe unanswered). */
  | { kind: 'closed'; reason: string };

export interface EventStreamOptions {
  /** Bound on one buffered event, in characters; salt-api lines can be several MiB (PROTOCOL.md §3.3). */
  maxEventChars?: number;
  /** Time allowed until the response headers. */
  connectTimeoutMs?: number;
}

/**
 * Bytes in, event payloads out: a StringDecoder keeps a multi-byte character split across chunks
 * for the next one, and eventsource-parser (which keeps a list of pending fragments rather than
 * re-concatenating a growing buffer) frames the events, so a multi-MiB line costs linear time.
 * salt-api's `tag:` line is not an SSE field: the parser reports it as unknown and it is ignored
 * (the tag is taken from the JSON).
 */
export class SseFeed {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parser: EventSourceParser;
  /** Set once an event overran the bound: the rest of this response cannot be framed reliably. */
  private failed = false;

  constructor(onEvent: (data: string) => void, onOversize: (reason: string) => void, maxEventChars = 64 * 1024 * 1024) {
    this.parser = createParser({
      onEvent: (msg) => onEvent(msg.data),
      onError: (err: ParseError) => {
        if (err.type !== 'max-buffer-size-exceeded') return;
        this.failed = true;
        onOversize(err.message);
      },
      maxBufferSize: maxEventChars,
    });
  }

  write(chunk: Buffer): void {
    if (this.failed) return;
    const text = this.decoder.write(chunk);
    if (text) this.parser.feed(text);
  }

  /** The stream ended: flush a trailing partial character (an event needs its blank line to count). */
  end(): void {
    const rest = this.decoder.end();
    if (rest && !this.failed) this.parser.feed(rest);
  }
}

/**
 * One `GET /events` response, read as it streams through an SseFeed. Never a read timeout once
 * subscribed: an idle bus sends nothing at all (PROTOCOL.md §3.3); liveness is the connector's job.
 */
export class EventStreamConnection {
  readonly done: Promise<StreamEnd>;
  private req: ClientRequest | null = null;
  private res: IncomingMessage | null = null;
  private settle!: (end: StreamEnd) => void;
  private ended = false;

  constructor(url: URL, token: string, private readonly handlers: EventStreamHandlers, opts: EventStreamOptions = {}) {
    this.done = new Promise<StreamEnd>((resolve) => (this.settle = resolve));
    const maxEventChars = opts.maxEventChars ?? 64 * 1024 * 1024;
    const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
    const headers = { Accept: 'text/event-stream', 'X-Auth-Token': token, 'Cache-Control': 'no-cache' };
    const req = transportFor(url).request(url, { method: 'GET', headers, agent: false });
    this.req = req;
    const connectTimer = setTimeout(() => this.finish({ kind: 'network', reason: `no answer within ${connectTimeoutMs} ms` }), connectTimeoutMs);
    req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    req.on('error', (err) => this.finish({ kind: 'network', reason: networkReason(err) }));
    req.on('close', () => clearTimeout(connectTimer));
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      this.res = res;
      const status = res.statusCode ?? 0;
      const type = String(res.headers['content-type'] ?? '');
      if (status !== 200 || !type.startsWith('text/event-stream')) {
        this.readError(res, status === 200 ? 0 : status, type);
        return;
      }
      this.stream(res, maxEventChars);
    });
    req.end();
  }

  /** Ends the connection; `done` resolves with `closed` unless it had already ended. */
  close(reason = 'closed by the client'): void {
    this.finish({ kind: 'closed', reason });
  }

  private stream(res: IncomingMessage, maxEventChars: number): void {
    const feed = new SseFeed(
      (json) => {
        if (!this.ended) this.handlers.onEvent(json);
      },
      (reason) => this.finish({ kind: 'oversize', reason }),
      maxEventChars,
    );
    this.handlers.onOpen?.();
    res.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      this.handlers.onBytes?.(chunk.length);
      feed.write(chunk);
    });
    res.on('end', () => {
      if (!this.ended) feed.end();
      this.finish({ kind: 'eof' });
    });
    res.on('error', (err) => this.finish({ kind: 'network', reason: networkReason(err) }));
    res.on('aborted', () => this.finish({ kind: 'network', reason: 'connection reset' }));
    res.on('close', () => this.finish({ kind: 'network', reason: 'connection closed' }));
  }

  private readError(res: IncomingMessage, status: number, type: string): void {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < 64 * 1024) chunks.push(c);
      size += c.length;
    });
    const done = () => {
      const text = errorText(Buffer.concat(chunks).toString('utf8'));
      this.finish({ kind: 'http', status, text: status === 0 ? `not an event stream (${type || 'no content type'})` : text });
    };
    res.on('end', done);
    res.on('error', done);
  }

  private finish(end: StreamEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.settle(end);
    this.res?.destroy();
    this.req?.destroy();
  }
}
