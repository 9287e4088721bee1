import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of any statement. TypeORM's `query()` answers UPDATE and DELETE with `[rows, rowCount]`
 * instead of the rows; this gives the rows (of RETURNING) either way.
 */
export async function sqlRows<T>(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const res: unknown = await db.query(sql, params);
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return res as T[];
}
