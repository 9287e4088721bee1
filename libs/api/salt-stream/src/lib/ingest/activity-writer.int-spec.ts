import { Client } from 'pg';
import { firstValueFrom, take } from 'rxjs';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { ActivityBus } from '../activity-bus';
import type { NormalizedActivity } from '../normalize';
import { ActivityWriter } from './activity-writer';
import { BoundedQueue } from './bounded-queue';
import { runRetention } from './retention';
import { corpusRows, dispatchRow, returnRow } from './testing';
import {
  ACTIVITY_EVENT_COLUMNS, ACTIVITY_NOTIFY_CHANNEL, ACTIVITY_PAYLOAD_COLUMNS, ensurePartitions, writeActivityBatch,
} from './write-batch';

let db: TestDatabase;
let pg: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});

afterAll(async () => {
  await pg?.end();
  await db?.drop();
});

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const r = await pg.query<{ n: string }>(sql, params);
  return Number(r.rows[0].n);
}

async function columns(table: string): Promise<string[]> {
  const r = await pg.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name`,
    [table],
  );
  return r.rows.map((c) => c.column_name);
}

function writer(queue: BoundedQueue<NormalizedActivity>, bus: ActivityBus | null = null): ActivityWriter {
  return new ActivityWriter(queue, { databaseUrl: db.url, bus, lingerMs: 0 });
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('activity tables', () => {
  it('should have exactly the columns the writer fills when migrated', async () => {
    await expect(columns('activity_events')).resolves.toEqual([...ACTIVITY_EVENT_COLUMNS].sort());
    await expect(columns('activity_payloads')).resolves.toEqual([...ACTIVITY_PAYLOAD_COLUMNS].sort());
  });
});

describe('writeActivityBatch', () => {
  it('should store each corpus row once with its payload when the same batch is written twice', async () => {
    const rows = corpusRows();
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      await ensurePartitions(c, rows, new Set());
      const first = await writeActivityBatch(c, rows);
      const second = await writeActivityBatch(c, rows);
      expect(first.written.length).toBe(new Set(rows.map((r) => r.dedupeKey)).size);
      expect(second.written).toEqual([]);
      expect(second.duplicates).toBe(rows.length);
      const ids = first.written.map((w) => BigInt(w.id));
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
      await expect(count(`SELECT count(*) n FROM activity_events WHERE id = ANY($1::bigint[])`, [first.written.map((w) => w.id)])).resolves.toBe(first.written.length);
      await expect(count(`SELECT count(*) n FROM activity_payloads WHERE id = ANY($1::bigint[])`, [first.written.map((w) => w.id)])).resolves.toBe(first.written.length);
      const raw = await pg.query<{ raw: string; tag: string }>(
        `SELECT p.raw, e.tag FROM activity_events e JOIN activity_payloads p USING (id, occurred_at) WHERE e.id = $1`,
        [first.written[0].id],
      );
      expect(JSON.parse(raw.rows[0].raw).tag).toBe(raw.rows[0].tag);
      // Every payload byte for byte (backslashes, non-ASCII, sizes) through the binary COPY.
      const stored = await pg.query<{ id: string; raw: string; raw_size: number; raw_truncated: boolean }>(
        'SELECT id::text AS id, raw, raw_size, raw_truncated FROM activity_payloads WHERE id = ANY($1::bigint[])', [first.written.map((w) => w.id)]);
      const byId = new Map(stored.rows.map((r) => [r.id, r]));
      for (const w of first.written) {
        expect(byId.get(w.id)).toEqual({ id: w.id, raw: w.row.raw.text, raw_size: w.row.raw.size, raw_truncated: w.row.raw.truncated });
      }
      expect(first.written.some((w) => w.row.raw.text.includes('\\') && [...w.row.raw.text].some((ch) => ch.charCodeAt(0) > 127))).toBe(true);
    } finally {
      await c.end();
    }
  });

  it('should create day partitions for 2014 and 2020 events when the corpus has them', async () => {
    const r = await pg.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'activity_events' AND (c.relname LIKE 'activity_events_2014%' OR c.relname LIKE 'activity_events_2020%')`,
    );
    expect(r.rows.length).toBeGreaterThanOrEqual(2);
    await expect(count(`SELECT count(*) n FROM activity_events WHERE occurred_at < '2021-01-01'`)).resolves.toBeGreaterThanOrEqual(2);
  });

  it('should keep one row when a key repeats inside a batch', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const a = returnRow('20240514130000000001', 'web01');
      const b = returnRow('20240514130000000001', 'web01');
      await ensurePartitions(c, [a], new Set());
      const res = await writeActivityBatch(c, [a, b]);
      expect(res.written.length).toBe(1);
      expect(res.duplicates).toBe(1);
    } finally {
      await c.end();
    }
  });
});

describe('ActivityWriter', () => {
  it('should publish rows on the bus only once they are committed', async () => {
    const bus = new ActivityBus();
    const queue = new BoundedQueue<NormalizedActivity>(100);
    const w = writer(queue, bus);
    const published = firstValueFrom(bus.batches.pipe(take(1)));
    const visibleWhenPublished = published.then(async (batch) =>
      count(`SELECT count(*) n FROM activity_events WHERE id = ANY($1::bigint[])`, [batch.rows.map((r) => r.id)]));
    w.start();
    queue.push(dispatchRow('20240514140000000001', { fun: 'state.apply', arg: ['nginx', { __kwarg__: true, test: true }] }));
    queue.push(returnRow('20240514140000000001', 'web01'));
    const batch = await published;
    await w.stop();
    expect(batch.rows.map((r) => r.event_type)).toEqual(['job.new', 'job.ret']);
    expect(batch.minions[0]).toEqual(['web01', 'web02']);
    expect(batch.minions[1]).toBeNull();
    // The publish arguments travel with the batch, so the jobs index need not read the raw event back.
    expect(batch.args).toEqual([['nginx', { __kwarg__: true, test: true }], null]);
    await expect(visibleWhenPublished).resolves.toBe(2);
    expect(bus.lastPublishedId).toBe(batch.rows[1].id);
  });

  it('should send one NOTIFY per committed batch and none for a batch of duplicates', async () => {
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    const notices: { max_id: string; count: number; categories: string[] }[] = [];
    listener.on('notification', (n) => notices.push(JSON.parse(n.payload ?? '{}')));
    await listener.query(`LISTEN ${ACTIVITY_NOTIFY_CHANNEL}`);
    const queue = new BoundedQueue<NormalizedActivity>(100);
    const w = writer(queue);
    w.start();
    try {
      const rows = Array.from({ length: 5 }, (_, i) => returnRow('20240514150000000001', `m${i}`));
      const first = await w.submit(rows);
      const second = await w.submit([dispatchRow('20240514150000000002'), returnRow('20240514150000000002', 'web01')]);
      const dup = await w.submit(rows);
      await until(async () => notices.length >= 2);
      await new Promise((r) => setTimeout(r, 200));
      expect(dup.written).toEqual([]);
      expect(notices).toEqual([
        { max_id: first.written[4].id, count: 5, categories: ['job'] },
        { max_id: second.written[1].id, count: 2, categories: ['job'] },
      ]);
    } finally {
      await w.stop();
      await listener.end();
    }
  });

  it('should store every other row and record the bad one when one row of a batch fails', async () => {
    await pg.query(`
      CREATE OR REPLACE FUNCTION poison_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.tag = 'poison' THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$`);
    await pg.query(`CREATE TRIGGER poison BEFORE INSERT ON activity_events FOR EACH ROW EXECUTE FUNCTION poison_row()`);
    try {
      const queue = new BoundedQueue<NormalizedActivity>(100);
      const w = writer(queue);
      const jid = '20240514160000000001';
      const rows = Array.from({ length: 16 }, (_, i) => returnRow(jid, `n${i}`, {}, i === 11 ? 'poison' : undefined));
      w.start();
      const res = await w.submit(rows);
      await w.stop();
      expect(res.written.length).toBe(15);
      expect(res.written.map((x) => x.row.minionId)).not.toContain('n11');
      expect(w.stats.rejected).toBe(1);
      await expect(count(`SELECT count(*) n FROM activity_events WHERE jid = $1`, [jid])).resolves.toBe(15);
      // The bad row's ledger key was rolled back with it: a fixed copy can still be stored later.
      await expect(count(`SELECT count(*) n FROM activity_dedupe WHERE dedupe_key = $1`, [rows[11].dedupeKey])).resolves.toBe(0);
      const gap = await pg.query<{ reason: string; dropped: number }>(`SELECT reason, dropped FROM stream_gaps WHERE reason LIKE 'rejected:%'`);
      expect(gap.rows).toHaveLength(1);
      expect(gap.rows[0].reason).toContain('22023');
      expect(gap.rows[0].dropped).toBe(1);
    } finally {
      await pg.query('DROP TRIGGER poison ON activity_events');
    }
  });

  it('should record a gap with the dropped count when the queue overflows', async () => {
    const queue = new BoundedQueue<NormalizedActivity>(3);
    const w = writer(queue);
    const jid = '20240514170000000001';
    for (let i = 0; i < 5; i++) queue.push(returnRow(jid, `o${i}`));
    w.start();
    await until(async () => (await count(`SELECT count(*) n FROM stream_gaps WHERE reason = 'queue-overflow'`)) === 1);
    await w.stop();
    await expect(count(`SELECT dropped n FROM stream_gaps WHERE reason = 'queue-overflow'`)).resolves.toBe(2);
    await expect(count(`SELECT count(*) n FROM activity_events WHERE jid = $1`, [jid])).resolves.toBe(3);
  });

  it('should fill initiator and target of stored returns when the job context arrives later', async () => {
    const queue = new BoundedQueue<NormalizedActivity>(100);
    const w = writer(queue);
    const jid = '20240514180000000001';
    const ret = returnRow(jid, 'web01', { user: undefined });
    expect(ret.initiator).toBeNull();
    w.start();
    await w.submit([ret]);
    w.backfill({ jid, initiator: 'alice', target: 'web*', targetType: 'glob' });
    await until(async () => (await count(`SELECT count(*) n FROM activity_events WHERE jid = $1 AND initiator = 'alice'`, [jid])) === 1);
    await w.stop();
    const r = await pg.query<{ target: string; target_type: string; search_text: string }>(
      `SELECT target, target_type, search_text FROM activity_events WHERE jid = $1`, [jid]);
    expect(r.rows[0]).toMatchObject({ target: 'web*', target_type: 'glob' });
    expect(r.rows[0].search_text).toContain('alice');
  });
});

describe('runRetention', () => {
  it('should drop whole day partitions older than the window and create the coming week', async () => {
    const now = new Date('2024-06-20T10:00:00Z');
    const before = await count(`SELECT count(*) n FROM activity_events WHERE occurred_at < '2024-05-21'`);
    expect(before).toBeGreaterThan(0);
    const res = await runRetention(pg, 30, now);
    expect(res.droppedDays).toContain('2014-01-12');
    expect(res.droppedDays.every((d) => d < '2024-05-21')).toBe(true);
    await expect(count(`SELECT count(*) n FROM activity_events WHERE occurred_at < '2024-05-21'`)).resolves.toBe(0);
    await expect(count(`SELECT count(*) n FROM activity_dedupe WHERE occurred_at < '2024-05-21'`)).resolves.toBe(0);
    await expect(count(`SELECT count(*) n FROM pg_class WHERE relname IN ('activity_events_20240627', 'activity_payloads_20240627')`)).resolves.toBe(2);
  });
});
