import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Typed settings kept in the `settings` table, one JSON value per section. Reads are cached for a
 * second so hot paths (the audit interceptor asks for `audit_reads` on every request) cost nothing,
 * and a change made on another replica is seen within that second.
 */
@Injectable()
export class SettingsStore {
  private readonly cache = new Map<string, { value: unknown; at: number }>();

  constructor(private readonly db: DataSource) {}

  async get<T>(key: string, fallback: T): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < 1000) return (hit.value ?? fallback) as T;
    const rows: { value: unknown }[] = await this.db.query('SELECT value FROM settings WHERE key = $1', [key]);
    const value = rows[0]?.value;
    this.cache.set(key, { value, at: Date.now() });
    return (value ?? fallback) as T;
  }

  /** The cached value without a round trip, or the fallback; refreshes in the background. */
  peek<T>(key: string, fallback: T): T {
    const hit = this.cache.get(key);
    if (!hit || Date.now() - hit.at >= 1000) void this.get(key, fallback).catch(() => undefined);
    return (hit?.value ?? fallback) as T;
  }

  async set(key: string, value: unknown, userId: string | null): Promise<void> {
    await this.db.query(
      `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2::jsonb, now(), $3)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [key, JSON.stringify(value), userId],
    );
    this.cache.set(key, { value, at: Date.now() });
  }
}
