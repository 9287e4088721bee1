import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** One SSE block (the lines between blank lines) as a frame; LF line ends, which is what the api writes. */
export function parseBlock(block: string): SseFrame {
  const f: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) f.comment = line.slice(1).trim();
    else {
      const i = line.indexOf(':');
      const field = line.slice(0, i);
      const value = line.slice(i + 1).replace(/^ /, '');
      if (field === 'id' || field === 'event' || field === 'data') f[field] = value;
    }
  }
  return f;
}

/** One SSE connection read byte for byte over a real socket. */
export class SseClient {
  raw = '';
  /** Complete frames so far, parsed as they arrive (a 30 MB stream must not be re-parsed per chunk). */
  readonly frames: SseFrame[] = [];
  status = 0;
  private partial = '';
  headers: IncomingHttpHeaders = {};
  ended = false;
  response: IncomingMessage | null = null;
  private waiters = new Set<() => void>();
  private readonly done: Promise<void>;

  private constructor(private readonly abort: () => void, ready: Promise<IncomingMessage>) {
    this.done = ready.then(
      (res) =>
        new Promise<void>((resolve) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            this.raw += chunk;
            this.partial += chunk;
            let end: number;
            while ((end = this.partial.indexOf('\n\n')) >= 0) {
              this.frames.push(parseBlock(this.partial.slice(0, end)));
              this.partial = this.partial.slice(end + 2);
            }
            this.notify();
          });
          const finish = () => {
            this.ended = true;
            this.notify();
            resolve();
          };
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        }),
    );
  }

  /** Resolves once the status line and headers are in. */
  static open(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const u = new URL(path, baseUrl);
      let client: SseClient | null = null;
      const req = request(u, { headers: { Accept: 'text/event-stream', ...headers } });
      const ready = new Promise<IncomingMessage>((res) => {
        req.on('response', (r) => {
          if (client) {
            client.status = r.statusCode ?? 0;
            client.headers = r.headers;
            client.response = r;
          }
          res(r);
          if (client) resolve(client);
        });
      });
      req.on('error', (err) => (client && client.status ? client.notify() : reject(err)));
      client = new SseClient(() => req.destroy(), ready);
      req.end();
    });
  }

  /** `id:` of every activity frame, in arrival order. */
  get activityIds(): string[] {
    return this.frames.filter((f) => f.event === 'activity').map((f) => f.id ?? '');
  }

  get activityCount(): number {
    let n = 0;
    for (const f of this.frames) if (f.event === 'activity') n++;
    return n;
  }

  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const first = probe();
    if (first) return first;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(v);
        } else if (this.ended) {
          clearTimeout(timer);
          this.waiters.delete(check);
          reject(new Error(`stream ended while waiting for ${what}; got:\n${this.raw.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got:\n${this.raw.slice(-2000)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Waits until the server ends the response. */
  closed(timeoutMs = 10_000): Promise<void> {
    return Promise.race([
      this.done,
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error('stream did not close')), timeoutMs).unref()),
    ]);
  }

  close(): void {
    this.abort();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
