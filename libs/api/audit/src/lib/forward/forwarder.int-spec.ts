import type { INestApplication } from '@nestjs/common';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Client } from 'pg';
import { register, type Gauge } from 'prom-client';
import { freePort } from '@sylvite/api-database';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
// The whole api in-process, as the lead's harness builds it (a test-only reach into the app).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp } from '../../../../../../apps/api/src/app/test-app';
import { BOOTSTRAP_ENV, rawClient, signIn, waitFor, type Session } from '../../testing/int-helpers';
import type { AuditRow } from '../audit-writer.service';
import { AuditChain } from '../chain/audit-chain.service';
import { AuditForwarder, signDelivery } from './forwarder.service';

const SECRET_A = 'receiver-a-shared-secret';
const SECRET_B = 'receiver-b-shared-secret';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  row: { id: string; action: string; decision: string; chain_seq: string; hash: string };
}

/** A SIEM stand-in: records every POST; `answer` decides the status per request. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  answer: (d: Delivery) => number = () => 200;
  private server: Server | null = null;

  constructor(readonly port: number) {}

  start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const d: Delivery = { path: req.url ?? '', headers: req.headers, body, row: JSON.parse(body) };
        const status = this.answer(d);
        if (status === 200) this.deliveries.push(d);
        res.writeHead(status).end();
      });
    });
    return new Promise((r) => this.server?.listen(this.port, '127.0.0.1', () => r()));
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  ids(path: string): Set<string> {
    return new Set(this.deliveries.filter((d) => d.path === path).map((d) => d.row.id));
  }
}

function row(action: string, decision: 'allow' | 'deny' = 'allow'): AuditRow {
  return {
    user_id: null, action, resource: 'test:*', args_json: { action }, decision, result_code: decision === 'allow' ? 200 : 403,
    duration_ms: 1, source_ip: '198.51.100.4', user_agent: 'jest', request_id: null,
  };
}

describe('audit forwarding', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let admin: Session;
  let receiver: Receiver;
  const env = { ...BOOTSTRAP_ENV, SYLVITE_FORWARD_ALLOW_PRIVATE: 'true' };

  async function boot(): Promise<void> {
    ({ app } = await createTestApp(db.url, env));
    Object.assign(app.get(AuditForwarder).tuning, { backoffBaseMs: 100, backoffMaxMs: 400 });
    admin = await signIn(app);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = new Receiver(await freePort());
    await boot();
    pg = await rawClient(db.url);
  });

  afterAll(async () => {
    await receiver?.stop();
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('should retry while the receiver is down, then deliver every row with a valid signature', async () => {
    const created = await admin.send('post', '/api/admin/audit-destinations', {
      name: 'siem-a', url: `http://127.0.0.1:${receiver.port}/a`, secret: SECRET_A,
    }).expect(201);
    expect(created.body).toMatchObject({ name: 'siem-a', secret_set: true, enabled: true });
    expect(JSON.stringify(created.body)).not.toContain(SECRET_A);
    const ids = await app.get(AuditChain).append(Array.from({ length: 40 }, (_, i) => row(`test.fwd.${i}`)));

    const failing = await waitFor(async () => {
      const list = (await admin.get('/api/admin/audit-destinations').expect(200)).body as { failures: number; backlog: number; last_error: string }[];
      return list[0].failures >= 2 ? list[0] : null;
    });
    expect(failing.backlog).toBeGreaterThanOrEqual(40);
    expect(failing.last_error).toMatch(/ECONNREFUSED|POST failed/);
    const gauge = register.getSingleMetric('sylvite_audit_forward_backlog') as Gauge;
    expect((await gauge.get()).values.find((v) => v.labels['destination'] === 'siem-a')?.value).toBeGreaterThanOrEqual(40);

    await receiver.start();
    await waitFor(async () => ids.every((id) => receiver.ids('/a').has(id)) || null, 15_000);
    for (const d of receiver.deliveries) {
      const ts = String(d.headers['x-sylvite-timestamp']);
      expect(d.headers['x-sylvite-signature']).toBe(signDelivery(SECRET_A, ts, d.body));
      expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(120);
      expect(d.headers['x-sylvite-delivery']).toBe(d.row.id);
    }
    const seqs = receiver.deliveries.filter((d) => ids.includes(d.row.id)).map((d) => BigInt(d.row.chain_seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const healthy = await waitFor(async () => {
      const list = (await admin.get('/api/admin/audit-destinations').expect(200)).body as { failures: number; backlog: number }[];
      return list[0].failures === 0 ? list[0] : null;
    });
    expect(healthy.failures).toBe(0);
  });

  it('should resume from its cursor after a restart in the middle of a backlog', async () => {
    let accepted = 0;
    receiver.answer = () => (accepted++ < 15 ? 200 : 503);
    const before = receiver.deliveries.length;
    const ids = await app.get(AuditChain).append(Array.from({ length: 40 }, (_, i) => row(`test.restart.${i}`)));
    await waitFor(async () => {
      const { rows } = await pg.query(`SELECT failures FROM audit_destinations WHERE name = 'siem-a'`);
      return accepted > 15 && rows[0].failures > 0 ? true : null;
    });
    const deliveredBefore = new Set(receiver.deliveries.slice(before).map((d) => d.row.id));
    await app.close();
    receiver.answer = () => 200;
    await boot();
    await waitFor(async () => ids.every((id) => receiver.ids('/a').has(id)) || null, 15_000);
    const afterRestart = receiver.deliveries.slice(before).map((d) => d.row.id).filter((id) => deliveredBefore.has(id));
    // The cursor was saved at the last accepted row: nothing accepted before the restart went twice.
    expect(afterRestart.length).toBe(deliveredBefore.size);
  });

  it('should send only rows matching the action prefix and decision, plus every checkpoint', async () => {
    await admin.send('post', '/api/admin/audit-destinations', {
      name: 'siem-b', url: `http://127.0.0.1:${receiver.port}/b`, secret: SECRET_B, action_prefix: 'test.only.', decision: 'deny',
    }).expect(201);
    const chain = app.get(AuditChain);
    await chain.append([row('test.only.a', 'deny'), row('test.only.b', 'allow'), row('test.other', 'deny'), row('test.only.c', 'deny')]);
    const cp = await chain.checkpoint();
    await waitFor(async () => (cp && receiver.ids('/b').has(cp.id)) || null, 15_000);
    const actions = receiver.deliveries.filter((d) => d.path === '/b').map((d) => d.row.action);
    expect(actions).toEqual(['test.only.a', 'test.only.c', 'audit.checkpoint']);
    for (const d of receiver.deliveries.filter((x) => x.path === '/b')) {
      expect(d.headers['x-sylvite-signature']).toBe(signDelivery(SECRET_B, String(d.headers['x-sylvite-timestamp']), d.body));
    }
  });

  it('should keep the secret encrypted at rest and out of every response', async () => {
    const list = (await admin.get('/api/admin/audit-destinations').expect(200)).body as { id: string; name: string }[];
    const text = JSON.stringify(list);
    expect(text).not.toContain(SECRET_A);
    expect(text).not.toContain('secret_enc');
    const { rows } = await pg.query(`SELECT secret_enc FROM audit_destinations`);
    for (const r of rows) expect(r.secret_enc).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(rows.map((r) => r.secret_enc).join()).not.toContain(SECRET_A);
    const b = list.find((d) => d.name === 'siem-b');
    const patched = await admin.send('patch', `/api/admin/audit-destinations/${b?.id}`, { secret: 'a-brand-new-secret-value', enabled: false }).expect(200);
    expect(patched.body).toMatchObject({ enabled: false, secret_set: true });
    const changes = await waitFor(async () => (await pg.query(`SELECT args_json FROM audit_log WHERE action = 'audit.destination.update' AND hash IS NOT NULL`)).rows[0]);
    expect(JSON.stringify(changes.args_json)).not.toContain('a-brand-new-secret-value');
  });

  it('should refuse destination URLs that are not plain http(s) or carry credentials', async () => {
    const bad = async (url: string) =>
      (await admin.send('post', '/api/admin/audit-destinations', { name: `bad-${url.length}`, url, secret: SECRET_A }).expect(400)).body.message;
    expect(await bad('ftp://siem.example/x')).toMatch(/http/);
    expect(await bad('https://user:pw@siem.example/x')).toMatch(/credentials/);
    expect(await bad('not a url')).toMatch(/url/);
    await admin.send('post', '/api/admin/audit-destinations', { name: 'siem-a', url: `http://127.0.0.1:${receiver.port}/a`, secret: SECRET_A }).expect(409);
  });
});
