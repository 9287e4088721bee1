import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../lib/embedded-postgres';
import { migrate } from '../lib/data-source';

export const TEMPLATE_DB = 'sylvite_template';

export interface TestCluster {
  /** A URL with the right to create databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** `TEST_DATABASE_URL` when set, else a throw-away embedded PostgreSQL under `tmp/`. */
export async function startTestCluster(label: string): Promise<TestCluster> {
  const given = process.env['TEST_DATABASE_URL'];
  if (given) return { adminUrl: given, stop: async () => undefined };
  const dir = resolve(process.cwd(), 'tmp', `${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), ephemeral: true });
  return {
    adminUrl: pg.url,
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Migrates a template database once; every test file then copies it (fast, isolated). */
export async function prepareTemplate(adminUrl: string): Promise<void> {
  await admin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  await migrate(databaseUrl(adminUrl, TEMPLATE_DB));
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file: `CREATE DATABASE t_<random> TEMPLATE sylvite_template`. */
export async function createTestDatabase(adminUrl = process.env['SYLVITE_TEST_ADMIN_URL'], template: string | null = TEMPLATE_DB): Promise<TestDatabase> {
  if (!adminUrl) throw new Error('no test cluster: run through the int or e2e jest config (globalSetup starts one)');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => admin(adminUrl, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}
