import { request, type IncomingMessage } from 'node:http';

export interface Frame {
  id?: string;
  event?: string;
  data?: string;
}

/** An SSE response read byte for byte over a real socket, parsed as frames arrive. */
export class SseReader {
  readonly frames: Frame[] = [];
  status = 0;
  ended = false;
  private partial = '';
  private res: IncomingMessage | null = null;

  private constructor(private readonly abort: () => void) {}

  static open(url: string, headers: Record<string, string>): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } });
      const reader = new SseReader(() => req.destroy());
      req.on('response', (res) => {
        reader.res = res;
        reader.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => reader.take(chunk));
        res.on('close', () => (reader.ended = true));
        resolve(reader);
      });
      req.on('error', (err) => (reader.status ? (reader.ended = true) : reject(err)));
      req.end();
    });
  }

  get activityIds(): string[] {
    return this.frames.filter((f) => f.event === 'activity').map((f) => f.id ?? '');
  }

  /** The `state` of the latest `event: status`. */
  get state(): string | null {
    const s = [...this.frames].reverse().find((f) => f.event === 'status');
    return s?.data ? (JSON.parse(s.data) as { state: string }).state : null;
  }

  close(): void {
    this.res?.destroy();
    this.abort();
  }

  private take(chunk: string): void {
    this.partial += chunk;
    let end: number;
    while ((end = this.partial.indexOf('\n\n')) >= 0) {
      const f: Frame = {};
      for (const line of this.partial.slice(0, end).split('\n')) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const field = line.slice(0, i);
        if (field === 'id' || field === 'event' || field === 'data') f[field] = line.slice(i + 1).replace(/^ /, '');
      }
      this.frames.push(f);
      this.partial = this.partial.slice(end + 2);
    }
  }
}
