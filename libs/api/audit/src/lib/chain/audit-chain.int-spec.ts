import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
// The whole api in-process, as the lead's harness builds it (a test-only reach into the app).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp } from '../../../../../../apps/api/src/app/test-app';
import { rawClient } from '../../testing/int-helpers';
import { AuditWriter, type AuditRow } from '../audit-writer.service';
import { AuditChain } from './audit-chain.service';
import { AuditVerifyService } from './audit-verify.service';

function row(action: string, extra: Partial<AuditRow> = {}): AuditRow {
  return {
    user_id: null, action, resource: 'test:*', args_json: { n: 1, nested: { b: 2, a: [1, 'x'] } }, decision: 'allow',
    result_code: 200, duration_ms: 3, source_ip: '10.1.2.3', user_agent: 'jest', request_id: null, ...extra,
  };
}

describe('audit hash chain', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let writer: AuditWriter;
  let chain: AuditChain;
  let verifier: AuditVerifyService;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url));
    writer = app.get(AuditWriter);
    chain = app.get(AuditChain);
    verifier = app.get(AuditVerifyService);
    pg = await rawClient(db.url);
    // The writer's 100 ms timer stopped: the tests see rows between their write and their batch, and flush themselves.
    await writer.onApplicationShutdown();
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  /** Every sealed row in chain order links to the one before it, from the anchor to the head. */
  async function assertLinear(): Promise<number> {
    const rows = (await pg.query(`SELECT chain_seq::text AS seq, prev_hash, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY chain_seq`)).rows;
    const state = (await pg.query(`SELECT anchor_hash, anchor_seq::text AS anchor_seq, head_seq::text AS head_seq, head_hash FROM audit_chain_state`)).rows[0];
    let prev: Buffer = state.anchor_hash;
    let seq = BigInt(state.anchor_seq);
    for (const r of rows) {
      seq += 1n;
      expect(r.seq).toBe(seq.toString());
      expect(Buffer.compare(r.prev_hash, prev)).toBe(0);
      prev = r.hash;
    }
    expect(state.head_seq).toBe(seq.toString());
    expect(Buffer.compare(state.head_hash, prev)).toBe(0);
    return rows.length;
  }

  it('should seal buffered rows in one linked run when the writer flushes', async () => {
    for (let i = 0; i < 20; i++) writer.enqueue(row(`test.buffered.${i}`));
    await writer.flush();
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'test.buffered.%' AND hash IS NOT NULL`);
    expect(rows[0].n).toBe(20);
    await assertLinear();
    const report = await verifier.verify();
    expect(report.broken).toBeNull();
    expect(report.ok).toBe(true);
  });

  it('should keep a mutating row pending without a hash until it completes, then seal the final row', async () => {
    const id = await writer.writeNow(row('test.pending', { result_code: null, duration_ms: null }));
    const before = (await pg.query(`SELECT hash, chain_seq FROM audit_log WHERE id = $1`, [id])).rows[0];
    expect(before).toEqual({ hash: null, chain_seq: null });
    await writer.complete(id, { result_code: 201, duration_ms: 12, salt_jid: '20240101000000000001' });
    const query = `SELECT result_code, duration_ms, salt_jid, hash IS NOT NULL AS sealed, incomplete FROM audit_log WHERE id = $1`;
    // The outcome is durable when complete() returns; the seal follows in the writer's next batch.
    expect((await pg.query(query, [id])).rows[0]).toMatchObject({ result_code: 201, duration_ms: 12, salt_jid: '20240101000000000001' });
    await writer.flush();
    expect((await pg.query(query, [id])).rows[0]).toEqual({ result_code: 201, duration_ms: 12, salt_jid: '20240101000000000001', sealed: true, incomplete: false });
    await assertLinear();
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('should seal finished rows in one batch with the buffered ones, also rows another process left unsealed', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const id = await writer.writeNow(row(`test.batch.${i}`, { result_code: null, duration_ms: null }));
      await writer.complete(id, { result_code: 200, duration_ms: i });
      return id;
    }));
    ids.push(await writer.writeNow(row('test.batch.login')));
    // Left unsealed by a process that stopped before its flush: the chain's sealer seals it all the same.
    const orphan = (await pg.query(
      `INSERT INTO audit_log (user_id, action, resource, decision, result_code, duration_ms) VALUES (NULL, 'test.batch.orphan', 'x', 'allow', 200, 1) RETURNING id::text AS id`,
    )).rows[0].id;
    const unsealed = async () => (await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE id = ANY($1::bigint[]) AND hash IS NULL`, [[...ids, orphan]])).rows[0].n;
    expect(await unsealed()).toBe(12);
    writer.enqueue(row('test.batch.read'));
    await writer.flush();
    expect(await unsealed()).toBe(0);
    await assertLinear();
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('should store arguments holding a NUL or a lone surrogate with U+FFFD in their place, sealed and verifiable', async () => {
    const args = { 'k\u0000': 'a\u0000b', s: ['x\ud800y'], literal: 'p\\u0000q', pair: '\ud83d\ude00' };
    writer.enqueue(row('test.unstorable', { args_json: args, request_id: 'unstorable-1' }));
    writer.enqueue(row('test.storable', { args_json: { literal: 'p\\u0000q' }, request_id: 'unstorable-2' }));
    await writer.flush();
    const { rows } = await pg.query(`SELECT request_id, args_json FROM audit_log WHERE request_id LIKE 'unstorable-%' AND hash IS NOT NULL ORDER BY request_id`);
    expect(rows.map((r) => r.args_json)).toEqual([
      { 'k\uFFFD': 'a\uFFFDb', s: ['x\uFFFDy'], literal: 'p\\u0000q', pair: '\ud83d\ude00' },
      { literal: 'p\\u0000q' },
    ]);
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('should refuse to change the outcome of a completed row before it is sealed', async () => {
    const id = await writer.writeNow(row('test.completed.guard', { result_code: null, duration_ms: null }));
    await writer.complete(id, { result_code: 201, duration_ms: 4 });
    await expect(pg.query(`UPDATE audit_log SET result_code = 500 WHERE id = $1`, [id])).rejects.toThrow(/has its outcome/);
    await writer.flush();
    expect((await pg.query(`SELECT result_code, hash IS NOT NULL AS sealed FROM audit_log WHERE id = $1`, [id])).rows[0]).toEqual({ result_code: 201, sealed: true });
  });

  it('should build one linear chain when 50 writers append and complete at the same time', async () => {
    const before = await assertLinear();
    await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      if (i % 2) {
        const id = await writer.writeNow(row(`test.concurrent.${i}`, { result_code: null, duration_ms: null }));
        await writer.complete(id, { result_code: 200, duration_ms: i });
      } else {
        await chain.append([row(`test.concurrent.${i}`), row(`test.concurrent.${i}b`)]);
      }
    }));
    await writer.flush();
    expect(await assertLinear()).toBe(before + 75);
    const report = await verifier.verify();
    expect(report.broken).toBeNull();
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(before + 75);
  });

  it('should refuse to change or delete a sealed row, and to truncate the table', async () => {
    const { rows } = await pg.query(`SELECT id FROM audit_log WHERE hash IS NOT NULL ORDER BY chain_seq LIMIT 1`);
    await expect(pg.query(`UPDATE audit_log SET resource = 'x' WHERE id = $1`, [rows[0].id])).rejects.toThrow(/append-only.*sealed/);
    await expect(pg.query(`DELETE FROM audit_log WHERE id = $1`, [rows[0].id])).rejects.toThrow(/cannot be deleted/);
    await expect(pg.query(`TRUNCATE audit_log`)).rejects.toThrow(/TRUNCATE is refused/);
  });

  it('should let only the outcome of a pending row change and never delete it', async () => {
    const id = await writer.writeNow(row('test.pending.guard', { result_code: null, duration_ms: null }));
    await expect(pg.query(`UPDATE audit_log SET action = 'other' WHERE id = $1`, [id])).rejects.toThrow(/only the outcome/);
    await expect(pg.query(`DELETE FROM audit_log WHERE id = $1`, [id])).rejects.toThrow(/cannot be deleted/);
    await pg.query(`UPDATE audit_log SET project_ids = '{}' WHERE id = $1`, [id]);
    await writer.complete(id, { result_code: 204, duration_ms: 1 });
    await writer.flush();
    await expect(pg.query(`UPDATE audit_log SET result_code = 500 WHERE id = $1`, [id])).rejects.toThrow(/sealed/);
  });

  it('should allow deleting sealed rows only in a transaction that declares itself retention', async () => {
    const [id] = await chain.append([row('test.retention.flag')]);
    await pg.query('BEGIN');
    await pg.query(`SET LOCAL sylvite.retention = 'on'`);
    const res = await pg.query(`DELETE FROM audit_log WHERE id = $1`, [id]);
    expect(res.rowCount).toBe(1);
    await pg.query('ROLLBACK');
    await expect(pg.query(`DELETE FROM audit_log WHERE id = $1`, [id])).rejects.toThrow(/cannot be deleted/);
  });

  it('should seal a row left pending by a crash as incomplete, and append a late outcome separately', async () => {
    const id = await writer.writeNow(row('test.crashed', { result_code: null, duration_ms: null, at: new Date(Date.now() - 3_600_000) }));
    const finished = async (label: string, ago: string) => (await pg.query(
      `INSERT INTO audit_log (at, action, resource, decision, result_code, duration_ms) VALUES (now() - $2::interval, $1, 'x', 'allow', 200, 1) RETURNING id::text AS id`,
      [label, ago],
    )).rows[0].id;
    // A finished row its process never sealed; a fresh one is the writer's to seal, not the job's.
    const leftover = await finished('test.crashed.finished', '2 minutes');
    const fresh = await finished('test.crashed.fresh', '0 seconds');
    expect(await chain.sealAbandoned(15 * 60 * 1000)).toBeGreaterThanOrEqual(2);
    const sealed = (await pg.query(`SELECT result_code, incomplete, hash IS NOT NULL AS sealed FROM audit_log WHERE id = $1`, [id])).rows[0];
    expect(sealed).toEqual({ result_code: null, incomplete: true, sealed: true });
    const state = async (rowId: string) => (await pg.query(`SELECT incomplete, hash IS NOT NULL AS sealed FROM audit_log WHERE id = $1`, [rowId])).rows[0];
    expect(await state(leftover)).toEqual({ incomplete: false, sealed: true });
    expect(await state(fresh)).toEqual({ incomplete: false, sealed: false });
    expect(await chain.sealFinished()).toBeGreaterThanOrEqual(1);
    expect(await state(fresh)).toEqual({ incomplete: false, sealed: true });
    expect(await chain.seal(id, { result_code: 200, duration_ms: 5 })).toBe('late');
    const late = (await pg.query(`SELECT args_json FROM audit_log WHERE action = 'audit.late_completion' AND resource = $1`, [`audit:${id}`])).rows;
    expect(late).toHaveLength(1);
    expect(late[0].args_json).toMatchObject({ audit_id: id, result_code: 200 });
    await assertLinear();
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('should write a signed checkpoint of the head into the log, and none when nothing changed since', async () => {
    const head = (await pg.query(`SELECT head_seq::text AS seq, head_id::text AS id, encode(head_hash, 'hex') AS hash FROM audit_chain_state`)).rows[0];
    const cp = await chain.checkpoint();
    expect(cp).not.toBeNull();
    const { rows } = await pg.query(`SELECT args_json FROM audit_log WHERE id = $1 AND action = 'audit.checkpoint'`, [cp?.id]);
    expect(rows[0].args_json).toMatchObject({ head_seq: head.seq, head_id: head.id, head_hash: head.hash });
    expect(rows[0].args_json.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(await chain.checkpoint()).toBeNull();
    expect((await verifier.verify()).ok).toBe(true);
  });
});
