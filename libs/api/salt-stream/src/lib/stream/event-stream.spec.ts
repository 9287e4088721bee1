import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSaltFixture } from '@sylvite/salt-fixtures';
import { loadCorpus } from '../normalize/__fixtures__/corpus';
import { EventStreamConnection, SseFeed } from './event-stream';

function feedAll(chunks: Buffer[], max?: number): { events: string[]; oversize: string | null } {
  const events: string[] = [];
  let oversize: string | null = null;
  const feed = new SseFeed((d) => events.push(d), (r) => (oversize = r), max);
  for (const c of chunks) feed.write(c);
  feed.end();
  return { events, oversize };
}

function bytewise(buf: Buffer): Buffer[] {
  return Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1));
}

function frame(json: string, tag = 'salt/test'): string {
  return `tag: ${tag}\ndata: ${json}\n\n`;
}

describe('SseFeed', () => {
  const transcript = readSaltFixture('sse-transcript.txt');
  const corpus = loadCorpus();

  it('should yield corpus lines 11-21 verbatim when the transcript arrives one byte at a time', () => {
    const { events } = feedAll(bytewise(transcript));
    const expected = corpus.filter((c) => c.line >= 11 && c.line <= 21).map((c) => c.text);
    // The capture is cut mid-stream: the last event may lack its blank line and is not complete.
    expect(events.length).toBeGreaterThanOrEqual(expected.length - 1);
    expect(events).toEqual(expected.slice(0, events.length));
    expect(events.some((e) => e.includes('—'))).toBe(true);
  });

  it('should decode a multi-byte character split across chunks when chunks cut it', () => {
    const json = JSON.stringify({ data: { msg: 'déjà vu — 日本 🎉'.repeat(50) }, tag: 'salt/x' });
    const bytes = Buffer.from(`retry: 400\n${frame(json)}`, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const { events } = feedAll(chunks);
    expect(events).toEqual([json]);
    expect(events[0]).not.toContain('\uFFFD');
  });

  it('should accept a multi-MiB line when it arrives in 64 KiB chunks', () => {
    const big = 'x'.repeat(6 * 1024 * 1024);
    const json = JSON.stringify({ data: { return: big }, tag: 'salt/job/1/ret/m' });
    const bytes = Buffer.from(frame(json) + frame('{"data": {}, "tag": "after"}'), 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const started = Date.now();
    const { events } = feedAll(chunks);
    expect(events.length).toBe(2);
    expect(events[0].length).toBe(json.length);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('should report an event over the bound when it arrives in pieces larger than maxEventChars', () => {
    const bytes = Buffer.from(frame(JSON.stringify({ data: 'y'.repeat(5000), tag: 't' })));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 100) chunks.push(bytes.subarray(i, i + 100));
    const { events, oversize } = feedAll(chunks, 1000);
    expect(events).toEqual([]);
    expect(oversize).toMatch(/max buffer size/);
  });
});

describe('EventStreamConnection', () => {
  let server: Server;
  let base: string;
  let handler: (res: ServerResponse, token: string | undefined) => void;

  beforeAll(async () => {
    server = createServer((req, res) => handler(res, req.headers['x-auth-token'] as string | undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('should deliver events and end with eof when the server finishes the body', async () => {
    handler = (res, token) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream;charset=utf-8' });
      res.write('retry: 400\n');
      res.write(frame(JSON.stringify({ data: { token }, tag: 'a' })));
      res.end(frame('{"data": {}, "tag": "b"}'));
    };
    const events: string[] = [];
    let opened = false;
    const conn = new EventStreamConnection(new URL(`${base}/events`), 'tok1', { onOpen: () => (opened = true), onEvent: (e) => events.push(e) });
    await expect(conn.done).resolves.toEqual({ kind: 'eof' });
    expect(opened).toBe(true);
    expect(events.map((e) => JSON.parse(e).tag)).toEqual(['a', 'b']);
    expect(JSON.parse(events[0]).data.token).toBe('tok1');
  });

  it('should deliver a 6 MiB event intact over a socket', async () => {
    const json = JSON.stringify({ data: { return: 'é'.repeat(3 * 1024 * 1024) }, tag: 'salt/job/1/ret/m' });
    handler = (res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream;charset=utf-8' });
      res.write('retry: 400\n');
      res.end(frame(json));
    };
    const events: string[] = [];
    const conn = new EventStreamConnection(new URL(`${base}/events`), 't', { onEvent: (e) => events.push(e) });
    await expect(conn.done).resolves.toEqual({ kind: 'eof' });
    expect(events).toHaveLength(1);
    expect(events[0] === json).toBe(true);
  });

  it('should end with the status and text when salt-api answers 401 with HTML', async () => {
    handler = (res) => {
      res.writeHead(401, { 'Content-Type': 'text/html;charset=utf-8' });
      res.end('<html><head><title>401 Unauthorized</title></head><body><h2>401 Unauthorized</h2><p>No permission -- see authorization schemes</p></body></html>');
    };
    const conn = new EventStreamConnection(new URL(`${base}/events`), 'bad', { onEvent: () => undefined });
    await expect(conn.done).resolves.toEqual({ kind: 'http', status: 401, text: 'No permission -- see authorization schemes' });
  });

  it('should end as a network failure when the connection is reset mid-stream', async () => {
    handler = (res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('retry: 400\n');
      setTimeout(() => res.socket?.resetAndDestroy(), 50);
    };
    const conn = new EventStreamConnection(new URL(`${base}/events`), 't', { onEvent: () => undefined });
    await expect(conn.done).resolves.toMatchObject({ kind: 'network' });
  });

  it('should end as closed when the client closes it', async () => {
    handler = (res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('retry: 400\n');
    };
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    const conn = new EventStreamConnection(new URL(`${base}/events`), 't', { onOpen: () => opened(), onEvent: () => undefined });
    await isOpen;
    conn.close('replaced');
    await expect(conn.done).resolves.toEqual({ kind: 'closed', reason: 'replaced' });
  });
});
