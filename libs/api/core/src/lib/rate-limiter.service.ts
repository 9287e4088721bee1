import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Counters in PostgreSQL so limits hold cluster-wide, whichever replica a request lands on.
 * `hit` uses a sliding-window estimate: this window's count plus the previous window's, weighted
 * by how much of it still overlaps the last `windowSec` seconds.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly db: DataSource) {}

  async hit(key: string, windowSec: number, amount = 1): Promise<number> {
    const rows: { hits: number; prev: number | null; frac: number }[] = await this.db.query(
      `WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start),
            up AS (
              INSERT INTO rate_limit_buckets (key, window_start, hits) SELECT $1, w.start, $3 FROM w
              ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_buckets.hits + EXCLUDED.hits
              RETURNING hits, window_start)
       SELECT up.hits,
              (SELECT b.hits FROM rate_limit_buckets b WHERE b.key = $1 AND b.window_start = up.window_start - make_interval(secs => $2)) AS prev,
              1 - extract(epoch FROM now() - up.window_start) / $2 AS frac
         FROM up`,
      [key, windowSec, amount],
    );
    const r = rows[0];
    return Math.ceil(r.hits + (r.prev ?? 0) * Math.max(0, Number(r.frac)));
  }

  async peek(key: string, windowSec: number): Promise<number> {
    return this.hit(key, windowSec, 0);
  }

  async reset(key: string): Promise<void> {
    await this.db.query('DELETE FROM rate_limit_buckets WHERE key = $1', [key]);
  }

  async purgeOlderThan(seconds: number): Promise<void> {
    await this.db.query(`DELETE FROM rate_limit_buckets WHERE window_start < now() - make_interval(secs => $1)`, [seconds]);
  }
}
