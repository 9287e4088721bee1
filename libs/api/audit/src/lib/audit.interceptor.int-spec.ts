import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
// The whole api in-process, as the lead's harness builds it (a test-only reach into the app).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp } from '../../../../../apps/api/src/app/test-app';
import { AuditWriter } from './audit-writer.service';

const ADMIN = { username: 'admin', password: 'admin-password-123' };

/**
 * The interceptor records a redacted copy of the arguments; the handler must still get the
 * original request (a user created with a password can sign in with it).
 */
describe('AuditInterceptor in the running app', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let ds: DataSource;
  let agent: ReturnType<typeof request.agent>;
  let xsrf = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url, { SYLVITE_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username, SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }));
    ds = app.get(DataSource);
    agent = request.agent(app.getHttpServer());
    const res = await agent.post('/api/auth/login').send(ADMIN).expect(200);
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    xsrf = decodeURIComponent(cookies.map((c) => /^XSRF-TOKEN=([^;]+)/.exec(c)?.[1]).find(Boolean) ?? '');
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function rowOf(requestId: string): Promise<{ action: string; args_json: unknown; result_code: number | null }> {
    await app.get(AuditWriter).flush();
    const rows = await ds.query('SELECT action, args_json, result_code FROM audit_log WHERE request_id = $1', [requestId]);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it('should pass the unredacted body to the handler while the audit row holds the redacted copy', async () => {
    await agent
      .post('/api/users')
      .set('X-XSRF-TOKEN', xsrf)
      .set('X-Request-Id', 'int-create-1')
      .send({ username: 'nina', password: 'ninas-own-password', roles: ['viewer'] })
      .expect(201);
    await request(app.getHttpServer()).post('/api/auth/login').send({ username: 'nina', password: 'ninas-own-password' }).expect(200);

    const row = await rowOf('int-create-1');
    expect(row).toMatchObject({ action: 'user.create', result_code: 201 });
    expect(row.args_json).toEqual({ params: {}, query: {}, body: { username: 'nina', password: '<redacted>', roles: ['viewer'] } });
  });

  it('should seal a completed mutation in the writer\'s next batch, with nobody flushing', async () => {
    await agent.post('/api/roles').set('X-XSRF-TOKEN', xsrf).set('X-Request-Id', 'int-seal-1').send({ name: 'sealed-soon', permissions: [] }).expect(201);
    const sealed = async () => (await ds.query(`SELECT hash IS NOT NULL AS sealed FROM audit_log WHERE request_id = 'int-seal-1'`))[0]?.sealed;
    for (let i = 0; i < 50 && !(await sealed()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await sealed()).toBe(true);
  });

  it('should let the handler check and set the real passwords of a password change', async () => {
    const nina = request.agent(app.getHttpServer());
    const res = await nina.post('/api/auth/login').send({ username: 'nina', password: 'ninas-own-password' }).expect(200);
    const token = decodeURIComponent(([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => /^XSRF-TOKEN=([^;]+)/.exec(c)?.[1]).find(Boolean) ?? '');
    await nina
      .post('/api/auth/change-password')
      .set('X-XSRF-TOKEN', token)
      .set('X-Request-Id', 'int-change-1')
      .send({ current_password: 'ninas-own-password', new_password: 'ninas-next-password' })
      .expect(204);
    await request(app.getHttpServer()).post('/api/auth/login').send({ username: 'nina', password: 'ninas-next-password' }).expect(200);
    expect((await rowOf('int-change-1')).args_json).toMatchObject({ body: { current_password: '<redacted>', new_password: '<redacted>' } });
  });
});
