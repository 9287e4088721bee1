import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { AuditChain } from '@sylvite/api-audit';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { EXIT_BROKEN, EXIT_CANNOT_RUN, EXIT_CLEAN, runAuditVerify } from './audit-verify-cli';
import { createTestApp } from './test-app';

const SECRET = 's'.repeat(40);

describe('npm run audit:verify', () => {
  let db: TestDatabase;
  let app: INestApplication;

  async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAuditVerify(argv, { SYLVITE_DATA_DIR: '/nonexistent-sylvite-data', ...env }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url, { SYLVITE_SECRET: SECRET }));
    await app.get(AuditChain).append(Array.from({ length: 12 }, (_, i) => ({
      user_id: null, action: `test.cli.${i}`, resource: 'test:*', args_json: null, decision: 'allow' as const,
      result_code: 200, duration_ms: 1, source_ip: null, user_agent: null, request_id: null,
    })));
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('should exit 0 and say intact when the chain is whole', async () => {
    const r = await run([], { DATABASE_URL: db.url, SYLVITE_SECRET: SECRET });
    expect(r.code).toBe(EXIT_CLEAN);
    expect(r.out).toMatch(/intact: 12 row\(s\) verified/);
  });

  it('should print the report as JSON when asked', async () => {
    const r = await run(['--json'], { DATABASE_URL: db.url, SYLVITE_SECRET: SECRET });
    expect(r.code).toBe(EXIT_CLEAN);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, checked: 12, broken: null });
  });

  it('should exit 2 when the database cannot be reached, the secret is unknown or an argument is wrong', async () => {
    expect((await run([], { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none', SYLVITE_SECRET: SECRET })).code).toBe(EXIT_CANNOT_RUN);
    const noSecret = await run([], { DATABASE_URL: db.url });
    expect(noSecret.code).toBe(EXIT_CANNOT_RUN);
    expect(noSecret.err).toMatch(/no SYLVITE_SECRET/);
    expect((await run(['--since', 'soon'], { DATABASE_URL: db.url, SYLVITE_SECRET: SECRET })).code).toBe(EXIT_CANNOT_RUN);
  });

  it('should exit 1 and name the row when a sealed row was changed behind the api', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query('BEGIN');
      await pg.query('SET LOCAL session_replication_role = replica');
      const { rows } = await pg.query(`UPDATE audit_log SET decision = 'deny' WHERE chain_seq = 5 RETURNING id::text AS id`);
      await pg.query('COMMIT');
      const r = await run([], { DATABASE_URL: db.url, SYLVITE_SECRET: SECRET });
      expect(r.code).toBe(EXIT_BROKEN);
      expect(r.out).toContain(`BROKEN: modified at row ${rows[0].id} (seq 5)`);
    } finally {
      await pg.end();
    }
  });
});
