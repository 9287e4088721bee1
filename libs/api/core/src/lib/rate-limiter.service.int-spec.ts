import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@sylvite/api-database';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { RateLimiter } from './rate-limiter.service';

describe('RateLimiter (PostgreSQL counters, sliding window)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let limiter: RateLimiter;
  let n = 0;
  const key = () => `test-key-${++n}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, []));
    await ds.initialize();
    limiter = new RateLimiter(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** The current window's start and how far into it we are (0..1), by the database clock. */
  async function windowPosition(windowSec: number): Promise<{ start: Date; elapsed: number }> {
    const [r] = await ds.query(
      `SELECT to_timestamp(floor(extract(epoch FROM now()) / $1) * $1) AS start,
              (extract(epoch FROM now()) - floor(extract(epoch FROM now()) / $1) * $1) / $1 AS elapsed`,
      [windowSec],
    );
    return { start: r.start, elapsed: Number(r.elapsed) };
  }

  it('should count hits per key when nothing came before', async () => {
    const k = key();
    expect(await limiter.hit(k, 3600)).toBe(1);
    expect(await limiter.hit(k, 3600)).toBe(2);
    expect(await limiter.hit(k, 3600, 5)).toBe(7);
    expect(await limiter.hit(key(), 3600)).toBe(1);
  });

  it('should read without counting when it peeks', async () => {
    const k = key();
    expect(await limiter.peek(k, 3600)).toBe(0);
    await limiter.hit(k, 3600);
    expect(await limiter.peek(k, 3600)).toBe(1);
    expect(await limiter.peek(k, 3600)).toBe(1);
  });

  it('should weigh the previous window by how much of it still overlaps when a new window starts', async () => {
    const k = key();
    const windowSec = 3600;
    const before = await windowPosition(windowSec);
    const prev = new Date(before.start.getTime() - windowSec * 1000);
    await ds.query(`INSERT INTO rate_limit_buckets (key, window_start, hits) VALUES ($1, $2, 100)`, [k, prev]);
    const got = await limiter.hit(k, windowSec);
    const after = await windowPosition(windowSec);
    // 1 hit now plus 100 × (1 − elapsed), elapsed measured on either side of the call.
    expect(got).toBeGreaterThanOrEqual(Math.ceil(1 + 100 * (1 - after.elapsed)) - 1);
    expect(got).toBeLessThanOrEqual(Math.ceil(1 + 100 * (1 - before.elapsed)) + 1);
    expect(got).toBeGreaterThan(1);
  });

  it('should forget windows older than the previous one', async () => {
    const k = key();
    const { start } = await windowPosition(60);
    await ds.query(`INSERT INTO rate_limit_buckets (key, window_start, hits) VALUES ($1, $2, 1000)`, [k, new Date(start.getTime() - 120_000)]);
    expect(await limiter.hit(k, 60)).toBe(1);
  });

  it('should count nothing when two whole windows have passed since the last hit', async () => {
    const k = key();
    // A 2-second window: after waiting past two of them, nothing overlaps any more.
    for (let i = 0; i < 5; i++) await limiter.hit(k, 2);
    expect(await limiter.peek(k, 2)).toBeGreaterThanOrEqual(5);
    await new Promise((r) => setTimeout(r, 4100));
    expect(await limiter.peek(k, 2)).toBe(0);
  });

  it('should count every concurrent hit exactly once when many arrive together', async () => {
    const k = key();
    await Promise.all(Array.from({ length: 25 }, () => limiter.hit(k, 3600)));
    expect(await limiter.peek(k, 3600)).toBe(25);
  });

  it('should forget a key on reset and purge old buckets', async () => {
    const k = key();
    await limiter.hit(k, 3600);
    await limiter.reset(k);
    expect(await limiter.peek(k, 3600)).toBe(0);

    const old = key();
    await ds.query(`INSERT INTO rate_limit_buckets (key, window_start, hits) VALUES ($1, now() - interval '2 days', 3)`, [old]);
    await limiter.purgeOlderThan(86_400);
    expect(await ds.query('SELECT 1 FROM rate_limit_buckets WHERE key = $1', [old])).toEqual([]);
  });
});
