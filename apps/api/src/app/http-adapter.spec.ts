import type { Express } from 'express';
import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SharedShapeExpressAdapter } from './http-adapter';

describe('SharedShapeExpressAdapter', () => {
  let server: Server;
  let app: Express;
  let base: string;
  const seen: { req: object | null; res: object | null }[] = [];

  beforeAll(async () => {
    const adapter = new SharedShapeExpressAdapter();
    adapter.initHttpServer({});
    app = adapter.getInstance<Express>();
    server = adapter.getHttpServer() as Server;
    // Before Express sees them: already on Express's prototypes, so its setPrototypeOf changes nothing.
    server.prependListener('request', (req, res) => seen.push({ req: Object.getPrototypeOf(req), res: Object.getPrototypeOf(res) }));
    app.get('/echo', (req, res) => {
      res.status(201).set('X-Seen', String(req.get('x-probe'))).json({ q: req.query['q'], sameApp: req.app === app && res.app === app });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('builds requests and responses on the prototypes Express would give them', async () => {
    seen.length = 0;
    await fetch(`${base}/echo`);
    await fetch(`${base}/echo`);
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.req).toBe(app.request);
      expect(s.res).toBe(app.response);
    }
  });

  it('keeps Express and node:http behaviour', async () => {
    const r = await fetch(`${base}/echo?q=abc`, { headers: { 'x-probe': 'p1' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-seen')).toBe('p1');
    expect(await r.json()).toEqual({ q: 'abc', sameApp: true });
    expect(Object.create(app.request)).toBeInstanceOf(IncomingMessage);
    expect(Object.create(app.response)).toBeInstanceOf(ServerResponse);
  });
});
