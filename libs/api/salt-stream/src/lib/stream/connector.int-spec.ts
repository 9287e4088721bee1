import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { ActivityBus } from '../activity-bus';
import { SaltApiClient } from '../client/salt-api.client';
import { ActivityWriter } from '../ingest/activity-writer';
import { BoundedQueue } from '../ingest/bounded-queue';
import { storedJobs } from '../ingest/store-queries';
import type { NormalizedActivity } from '../normalize';
import { ensureSimBuilt, Sim } from '../test-app';
import { SaltStreamConnector, type SaltStreamConnectorOptions } from './connector';

jest.setTimeout(90_000);

const FLEET = 12;

interface Harness {
  sim: Sim;
  db: TestDatabase;
  pg: Client;
  client: SaltApiClient;
  bus: ActivityBus;
  writer: ActivityWriter;
  connector: SaltStreamConnector;
  logins: () => number;
  stop(): Promise<void>;
}

beforeAll(() => ensureSimBuilt(), 300_000);

async function harness(simArgs: string[] = [], opts: Partial<SaltStreamConnectorOptions> = {}, clientOpts: { refreshMarginMs?: number } = {}): Promise<Harness> {
  const sim = new Sim(simArgs);
  await sim.start();
  const db = await createTestDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const client = new SaltApiClient({ url: sim.url, username: 'saltapi', password: 'pw', eauth: 'auto' }, clientOpts);
  let logins = 0;
  const relogin = client.relogin.bind(client);
  client.relogin = () => {
    logins++;
    return relogin();
  };
  const bus = new ActivityBus();
  const queue = new BoundedQueue<NormalizedActivity>(50_000);
  const writer = new ActivityWriter(queue, { databaseUrl: db.url, bus, lingerMs: 5 });
  const connector = new SaltStreamConnector({
    client, queue, writer, status: bus.status,
    storedJobs: (jids, since) => storedJobs(async (sql, p) => (await pg.query(sql, p)).rows, jids, since),
    backoff: { initialMs: 100, maxMs: 1000 },
    ...opts,
  });
  writer.start();
  connector.start();
  return {
    sim, db, pg, client, bus, writer, connector, logins: () => logins,
    async stop() {
      await connector.stop();
      await writer.stop();
      client.close();
      await sim.stop();
      await pg.end();
      await db.drop();
    },
  };
}

async function until<T>(what: string, check: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rowsOf(h: Harness, jid: string): Promise<{ event_type: string; minion_id: string | null; dedupe_key: string }[]> {
  return (await h.pg.query('SELECT event_type, minion_id, dedupe_key FROM activity_events WHERE jid = $1 ORDER BY id', [jid])).rows;
}

/** A job started on the master's CLI; resolves once every minion's row is stored. */
async function runJob(h: Harness, fun = 'test.ping'): Promise<string> {
  const { jid } = await h.sim.control<{ jid: string }>('jobs', { tgt: '*', fun });
  await until(`job ${jid} stored`, async () => (await rowsOf(h, jid)).length >= FLEET + 1);
  return jid;
}

function connected(h: Harness): Promise<true> {
  return until('connected', () => h.connector.status.state === 'connected' || null);
}

async function expectStoredOnce(h: Harness, jid: string): Promise<void> {
  const rows = await rowsOf(h, jid);
  expect(rows.filter((r) => r.event_type === 'job.new')).toHaveLength(1);
  expect(rows.filter((r) => r.event_type === 'job.ret')).toHaveLength(FLEET);
  expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(rows.length);
}

async function count(h: Harness, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await h.pg.query<{ n: string }>(sql, params)).rows[0].n);
}

describe('SaltStreamConnector against salt-sim', () => {
  let h: Harness | null = null;

  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  it('should store a job and every return exactly once when the stream is healthy', async () => {
    h = await harness();
    await connected(h);
    const jid = await runJob(h);
    await expectStoredOnce(h, jid);
    await expect(count(h, `SELECT count(*) n FROM activity_events WHERE fun LIKE 'runner.jobs.%'`)).resolves.toBe(0);
    expect(h.connector.status).toMatchObject({ state: 'connected', reconnects: 0 });
    expect(h.connector.status.last_event_at).not.toBeNull();
    await until('the status published', () => (h as Harness).bus.status.value.last_event_at !== null);
  });

  it('should log in again before the token expires without losing events when tokens last 3 s', async () => {
    h = await harness(['--token-expire', '3']);
    await connected(h);
    const jids: string[] = [];
    const end = Date.now() + 8000;
    while (Date.now() < end) {
      jids.push(await runJob(h));
      await new Promise((r) => setTimeout(r, 300));
    }
    for (const jid of jids) await expectStoredOnce(h, jid);
    expect(h.logins()).toBeGreaterThanOrEqual(3);
    expect(h.bus.status.value.state).toBe('connected');
  });

  it('should log in again and carry on when every token expires at once', async () => {
    h = await harness();
    await connected(h);
    await h.sim.control('tokens/expire');
    // The stream delivers at most one more event, then ends; the reconnect gets 401.
    await h.sim.control('emit', { tag: 'salt/test/nudge', data: {} });
    await until('a reconnect', () => (h as Harness).bus.status.value.reconnects >= 1);
    await connected(h);
    const jid = await runJob(h);
    await expectStoredOnce(h, jid);
    expect(h.logins()).toBeGreaterThanOrEqual(2);
  });

  it('should reconnect after salt-api restarts when its sessions are gone', async () => {
    h = await harness();
    await connected(h);
    const port = h.sim.port;
    await h.sim.stop();
    await until('reconnecting', () => (h as Harness).bus.status.value.state === 'reconnecting' || null);
    await new Promise((r) => setTimeout(r, 500));
    await h.sim.start(port);
    await connected(h);
    const jid = await runJob(h);
    await expectStoredOnce(h, jid);
    expect(h.logins()).toBeGreaterThanOrEqual(2);
    await until('the gap recorded', async () => (await count(h as Harness, `SELECT count(*) n FROM stream_gaps WHERE reason LIKE 'reconnect:%'`)) >= 1);
  });

  it('should keep a silent but healthy stream and replace one that stops answering the probe', async () => {
    h = await harness([], { silentMs: 700, probeTimeoutMs: 1000 });
    await connected(h);
    await new Promise((r) => setTimeout(r, 3000));
    expect(h.bus.status.value.reconnects).toBe(0);
    expect((await h.sim.counters()).events.byKind['hook']).toBeGreaterThanOrEqual(2);
    await h.sim.control('events/pause');
    await until('the dead stream replaced', () => (h as Harness).bus.status.value.reconnects >= 1, 10_000);
    await connected(h);
    const jid = await runJob(h);
    await expectStoredOnce(h, jid);
  });

  it('should store a multi-MiB event and keep reading the stream after it', async () => {
    h = await harness(['--max-event-size', String(64 * 1024 * 1024)]);
    await connected(h);
    const jid = '20240101000000000042';
    const big = 'A'.repeat(3 * 1024 * 1024);
    await h.sim.control('emit', {
      tag: `salt/job/${jid}/ret/web01.example.com`,
      data: { cmd: '_return', id: 'web01.example.com', jid, fun: 'cmd.run', fun_args: ['cat big'], return: big, retcode: 0, success: true, user: 'root' },
    });
    const row = await until('the big return', async () => (await (h as Harness).pg.query<{ raw_size: number; raw_truncated: boolean; value_trimmed: boolean }>(
      `SELECT p.raw_size, p.raw_truncated, p.value_trimmed FROM activity_events e JOIN activity_payloads p USING (id, occurred_at) WHERE e.jid = $1`, [jid])).rows[0]);
    expect(row.raw_size).toBeGreaterThan(3 * 1024 * 1024);
    expect(row.raw_truncated).toBe(true);
    expect(row.value_trimmed).toBe(false);
    await expectStoredOnce(h, await runJob(h));
  });

  it('should mark a return Salt trimmed when it is over max_event_size', async () => {
    h = await harness();
    await connected(h);
    const { jid } = await h.sim.control<{ jid: string }>('jobs', { tgt: 'web01.example.com', fun: 'cmd.run', arg: ['journalctl -u app'] });
    const row = await until('the trimmed return', async () => (await (h as Harness).pg.query<{ value_trimmed: boolean; summary: string }>(
      `SELECT p.value_trimmed, e.summary FROM activity_events e JOIN activity_payloads p USING (id, occurred_at)
        WHERE e.jid = $1 AND e.event_type = 'job.ret'`, [jid])).rows[0], 30_000);
    expect(row.value_trimmed).toBe(true);
    expect(row.summary).toContain('trimmed');
  });

  it('should decode multi-byte characters split across chunks when an event is large', async () => {
    h = await harness(['--max-event-size', String(16 * 1024 * 1024)]);
    await connected(h);
    const jid = '20240101000000000043';
    const text = 'déjà vu — 日本語 🎉 '.repeat(20_000);
    await h.sim.control('emit', { tag: `salt/job/${jid}/ret/web02.example.com`, data: { cmd: '_return', id: 'web02.example.com', jid, fun: 'cmd.run', fun_args: ['echo'], return: text, retcode: 3, success: false, user: 'root' } });
    const row = await until('the row', async () => (await (h as Harness).pg.query<{ raw: string; summary: string }>(
      `SELECT p.raw, e.summary FROM activity_events e JOIN activity_payloads p USING (id, occurred_at) WHERE e.jid = $1`, [jid])).rows[0]);
    expect(row.raw).not.toContain('\uFFFD');
    expect(row.raw).toContain('déjà vu — 日本語 🎉');
    expect(row.summary).toContain('déjà vu — 日本語 🎉');
  });

  it('should store the dispatch of a job whose job.new fell into a gap while every return came after it', async () => {
    h = await harness([], { silentMs: 60_000 });
    await connected(h);
    await h.sim.control('events/pause');
    // The returns come two seconds after the publish: after the reset and the reconnect.
    const { jid } = await h.sim.control<{ jid: string }>('jobs', { tgt: '*', fun: 'test.sleep', arg: [2] });
    await new Promise((r) => setTimeout(r, 100));
    await h.sim.control('events/drop', { mode: 'reset' });
    await until('the job stored', async () => (await rowsOf(h as Harness, jid)).length >= FLEET + 1);
    await expectStoredOnce(h, jid);
    const gap = await until('the gap row', async () => (await (h as Harness).pg.query<{ ended_at: Date; recovered: number }>(
      `SELECT ended_at, recovered FROM stream_gaps WHERE reason LIKE 'reconnect:%'`)).rows[0]);
    expect(gap.recovered).toBeGreaterThanOrEqual(1);
    const rows = (await h.pg.query<{ event_type: string; occurred_at: Date; recovered: boolean }>(
      `SELECT e.event_type, e.occurred_at, p.raw LIKE '%"_recovered": "jobs-index"%' OR p.raw LIKE '%"_recovered":"jobs-index"%' AS recovered
         FROM activity_events e JOIN activity_payloads p USING (id, occurred_at) WHERE e.jid = $1`, [jid])).rows;
    // The dispatch came from the jobs index; the returns came on the new stream, after the gap.
    expect(rows.filter((r) => r.event_type === 'job.new').map((r) => r.recovered)).toEqual([true]);
    for (const r of rows.filter((x) => x.event_type === 'job.ret')) expect(r.occurred_at.getTime()).toBeGreaterThan(gap.ended_at.getTime());
  });

  it('should recover events emitted while disconnected and store them exactly once', async () => {
    h = await harness([], { silentMs: 60_000 });
    await connected(h);
    await h.sim.control('emit', { tag: 'salt/test/before-gap', data: {} });
    await new Promise((r) => setTimeout(r, 200));
    await h.sim.control('events/pause');
    const { jid } = await h.sim.control<{ jid: string }>('jobs', { tgt: '*', fun: 'test.ping' });
    await new Promise((r) => setTimeout(r, 1500));
    await expect(rowsOf(h, jid)).resolves.toEqual([]);
    await h.sim.control('events/drop', { mode: 'reset' });
    await until('the job recovered', async () => (await rowsOf(h as Harness, jid)).length >= FLEET + 1);
    await expectStoredOnce(h, jid);
    const gap = await until('the gap row', async () => (await (h as Harness).pg.query<{ recovered: number; reason: string }>(
      `SELECT recovered, reason FROM stream_gaps WHERE reason LIKE 'reconnect:%'`)).rows[0]);
    expect(gap.recovered).toBe(FLEET + 1);
    // A second gap over the same window recovers nothing new: the ledger keeps one copy.
    await h.sim.control('events/drop', { mode: 'end' });
    await until('a second gap row', async () => (await count(h as Harness, `SELECT count(*) n FROM stream_gaps`)) >= 2);
    await expectStoredOnce(h, jid);
    await expect(count(h, `SELECT count(*) n FROM activity_events WHERE fun LIKE 'runner.jobs.%'`)).resolves.toBe(0);
  });
});
