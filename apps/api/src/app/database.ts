import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { migrate, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@sylvite/api-database';
import type { AppConfig } from '@sylvite/api-core';

/** `DATABASE_URL`, or an embedded PostgreSQL in `$SYLVITE_DATA_DIR/pg`; migrations run either way. */
export async function prepareDatabase(config: AppConfig): Promise<{ url: string; embedded: EmbeddedPostgresHandle | null }> {
  const logger = new Logger('Database');
  let embedded: EmbeddedPostgresHandle | null = null;
  let url = config.db.url;
  if (!url) {
    const started = Date.now();
    const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
    embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'pg'), log: verbose ? (l) => logger.debug(l) : undefined });
    url = embedded.url.replace(/\/postgres$/, '/sylvite');
    await ensureDatabase(embedded.url, 'sylvite');
    logger.log(`embedded PostgreSQL on 127.0.0.1:${embedded.port} (${join(config.dataDir, 'pg')}, ${Date.now() - started} ms)`);
  }
  const applied = await migrate(url);
  if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
  return { url, embedded };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!r.rowCount) await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
}
