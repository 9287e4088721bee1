import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
// The whole api in-process, as the lead's harness builds it (a test-only reach into the app).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp } from '../../../../../../apps/api/src/app/test-app';
import { BOOTSTRAP_ENV, asTamperer, rawClient, signIn, waitFor, type Session } from '../../testing/int-helpers';
import type { AuditRow } from '../audit-writer.service';
import { AuditChain } from '../chain/audit-chain.service';
import { AuditVerifyService } from '../chain/audit-verify.service';
import { ChainVerifier } from '../chain/chain-verifier';
import { AuditRetentionService } from './audit-retention.service';

const DAY = 86_400_000;

function row(action: string, ageDays: number): AuditRow {
  return {
    at: new Date(Date.now() - ageDays * DAY), user_id: null, action, resource: 'test:*', args_json: null, decision: 'allow',
    result_code: 200, duration_ms: 1, source_ip: null, user_agent: null, request_id: null,
  };
}

describe('audit retention', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let admin: Session;
  let chain: AuditChain;
  let retention: AuditRetentionService;
  let verifier: AuditVerifyService;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url, { ...BOOTSTRAP_ENV, SYLVITE_FORWARD_ALLOW_PRIVATE: 'true' }));
    chain = app.get(AuditChain);
    retention = app.get(AuditRetentionService);
    verifier = app.get(AuditVerifyService);
    pg = await rawClient(db.url);
    // The chain starts with old rows, then a young one with an old one behind it.
    await chain.append(Array.from({ length: 23 }, (_, i) => row(`test.old.${i}`, 400)));
    await chain.append([row('test.young.0', 1), row('test.old.after-young', 400), row('test.young.1', 0)]);
    admin = await signIn(app);
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('should keep 365 days by default and accept 0 or 30 and more from an admin, audited', async () => {
    expect((await admin.get('/api/admin/settings/audit-retention').expect(200)).body).toEqual({ days: 365, default: 365, minimum: 30 });
    expect((await admin.send('put', '/api/admin/settings/audit-retention', { days: 10 }).expect(400)).body.message).toMatch(/days/);
    await admin.send('put', '/api/admin/settings/audit-retention', { days: 'many' }).expect(400);
    await admin.send('put', '/api/admin/settings/audit-retention', { days: 0 }).expect(200);
    expect(await retention.days()).toBe(0);
    expect((await admin.send('put', '/api/admin/settings/audit-retention', { days: 90 }).expect(200)).body.days).toBe(90);
    const rows = await waitFor(async () => (await pg.query(
      `SELECT args_json, result_code FROM audit_log WHERE action = 'settings.audit_retention.update' AND hash IS NOT NULL ORDER BY chain_seq`,
    )).rows.filter((r) => r.result_code === 200).length >= 2 || null);
    expect(rows).toBe(true);
  });

  it('should refuse the retention setting to a user without edit:settings', async () => {
    await admin.send('post', '/api/users', { username: 'auditor1', password: 'a-long-enough-password', roles: ['auditor'] }).expect(201);
    const auditor = await signIn(app, { username: 'auditor1', password: 'a-long-enough-password' });
    await auditor.send('put', '/api/admin/settings/audit-retention', { days: 30 }).expect(403);
  });

  it('should keep old rows a forwarding destination has not received yet', async () => {
    const dest = await admin.send('post', '/api/admin/audit-destinations', {
      name: 'lagging', url: 'http://127.0.0.1:9/never', secret: 'sixteen-chars-or-more', start: 'beginning',
    }).expect(201);
    const held = await retention.purge();
    expect(held).toMatchObject({ held_back_by: 'forwarding', removed: 0 });
    expect((await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'test.old.%'`)).rows[0].n).toBe(24);
    await admin.send('delete', `/api/admin/audit-destinations/${dest.body.id}`).expect(204);
  });

  it('should remove old rows in bounded batches, move the anchor and leave a verifiable chain', async () => {
    const lastOld = (await pg.query(`SELECT id::text AS id, chain_seq::text AS seq, encode(hash, 'hex') AS hash FROM audit_log WHERE action = 'test.old.22'`)).rows[0];
    const result = await retention.purge({ batchSize: 10 });
    expect(result).not.toBeNull();
    // Everything up to the last old row before the first young one, in chain order; the old row
    // behind a young one waits until the chain in front of it has gone.
    const removedOld = (await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'test.old.%'`)).rows[0].n;
    expect(removedOld).toBe(1);
    expect(result?.batches.length).toBeGreaterThanOrEqual(3);
    expect(result?.batches.every((b) => b.removed <= 10)).toBe(true);
    const state = (await pg.query(`SELECT anchor_id::text AS id, anchor_seq::text AS seq, encode(anchor_hash, 'hex') AS hash FROM audit_chain_state`)).rows[0];
    expect(state).toEqual({ id: lastOld.id, seq: lastOld.seq, hash: lastOld.hash });
    const purges = (await pg.query(`SELECT args_json FROM audit_log WHERE action = 'retention.purge' ORDER BY chain_seq`)).rows;
    expect(purges.length).toBe(result?.batches.length);
    expect(purges[purges.length - 1].args_json).toMatchObject({ last_id: lastOld.id, anchor_hash: lastOld.hash, retention_days: 90 });
    expect(purges.reduce((n, p) => n + p.args_json.removed, 0)).toBe(result?.removed);
    const report = await verifier.verify();
    expect(report).toMatchObject({ ok: true, broken: null, anchor: { seq: lastOld.seq, id: lastOld.id } });
  });

  it('should notice a forged anchor after a purge', async () => {
    const broken = await asTamperer(pg, async () => {
      await pg.query(`UPDATE audit_chain_state SET anchor_seq = anchor_seq - 1`);
      return new ChainVerifier(async (sql, params) => (await pg.query(sql, params as unknown[])).rows, chain.keys).verify();
    });
    expect(broken.broken).toMatchObject({ kind: 'modified' });
    expect(broken.broken?.detail).toMatch(/anchor/);
  });

  it('should remove nothing when retention is 0 (keep forever)', async () => {
    await admin.send('put', '/api/admin/settings/audit-retention', { days: 0 }).expect(200);
    await waitFor(async () => (await retention.days()) === 0 || null, 3000);
    await chain.append([row('test.forever', 4000)]);
    expect(await retention.purge()).toMatchObject({ days: 0, removed: 0, cutoff: null });
    expect((await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.forever'`)).rows[0].n).toBe(1);
  });
});
