import type { INestApplication } from '@nestjs/common';
import type { Response } from 'express';
import { Writable } from 'node:stream';
import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
// The whole api in-process, as the lead's harness builds it (a test-only reach into the app).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp } from '../../../../../../apps/api/src/app/test-app';
import { BOOTSTRAP_ENV, rawClient, signIn, waitFor, type Session } from '../../testing/int-helpers';
import type { AuditRow } from '../audit-writer.service';
import { AuditChain } from '../chain/audit-chain.service';
import { AuditExportService } from './audit-export.service';
import { EXPORT_FIELDS } from './export-row';

function row(action: string, extra: Partial<AuditRow> = {}): AuditRow {
  return {
    user_id: null, action, resource: 'test:*', args_json: { i: action }, decision: 'allow', result_code: 200, duration_ms: 1,
    source_ip: '192.0.2.7', user_agent: 'jest', request_id: null, ...extra,
  };
}

/** Minimal RFC 4180 reader: enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rowCells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rowCells.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      rowCells.push(cell);
      out.push(rowCells);
      rowCells = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return out;
}

/** A Response stand-in whose reader only drains when told to: shows that the export waits for it. */
class SlowResponse extends Writable {
  written = 0;
  lines = 0;
  headers: Record<string, string> = {};
  statusCode = 0;
  private release: (() => void) | null = null;
  private paused = true;

  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  setHeader(k: string, v: string): void {
    this.headers[k.toLowerCase()] = v;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written += chunk.length;
    for (const b of chunk) if (b === 10) this.lines++;
    if (!this.paused) return cb();
    this.release = cb;
  }

  resume(): this {
    this.paused = false;
    this.release?.();
    this.release = null;
    return this;
  }
}

describe('audit export', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let admin: Session;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url, BOOTSTRAP_ENV));
    const chain = app.get(AuditChain);
    await chain.append([
      row('test.inject.formula', { resource: '=HYPERLINK("http://evil.example","x")', user_agent: '@SUM(1+1)' }),
      row('+test.inject.plus', { resource: '-2+3' }),
      row('test.inject.tab', { resource: '\t=1', args_json: { note: 'quote " and, comma\nnewline' } }),
    ]);
    for (let i = 0; i < 5; i++) await chain.append(Array.from({ length: 500 }, (_, j) => row(`test.bulk.${i}.${j}`)));
    pg = await rawClient(db.url);
    admin = await signIn(app);
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('should stream every matching row as CSV with formula cells neutralised and a dated file name', async () => {
    const res = await admin.get('/api/audit/export?format=csv&action_prefix=test.&since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="sylvite-audit_2000-01-01T000000Z_2999-01-01T000000Z.csv"');
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(EXPORT_FIELDS);
    expect(rows).toHaveLength(1 + 2 + 2500);
    const col = (name: string) => EXPORT_FIELDS.indexOf(name as (typeof EXPORT_FIELDS)[number]);
    const formula = rows.find((r) => r[col('action')] === 'test.inject.formula');
    expect(formula?.[col('resource')]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(formula?.[col('user_agent')]).toBe(`'@SUM(1+1)`);
    const tab = rows.find((r) => r[col('action')] === 'test.inject.tab');
    expect(tab?.[col('resource')]).toBe(`'\t=1`);
    expect(JSON.parse(tab?.[col('args_json')] ?? 'null')).toEqual({ note: 'quote " and, comma\nnewline' });
    expect(formula?.[col('hash')]).toMatch(/^[0-9a-f]{64}$/);
    expect(formula?.[col('chain_seq')]).toMatch(/^\d+$/);
  });

  it('should stream NDJSON oldest first with the chain fields, filtered like GET /api/audit', async () => {
    const res = await admin.get('/api/audit/export?format=ndjson&action_prefix=%2Btest.').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(/filename="sylvite-audit_start_\d{4}-\d{2}-\d{2}T\d{6}Z\.ndjson"/);
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ action: '+test.inject.plus', resource: '-2+3', source_ip: '192.0.2.7' });
    expect(lines[0].prev_hash).toMatch(/^[0-9a-f]{64}$/);
    const all = (await admin.get('/api/audit/export?format=ndjson&action_prefix=test.bulk.').expect(200)).text.trim().split('\n').map((l) => JSON.parse(l));
    expect(all).toHaveLength(2500);
    const keys = all.map((r) => `${r.at}|${r.id.padStart(12, '0')}`);
    expect([...keys].sort()).toEqual(keys);
  });

  it('should refuse a missing or unknown format with a 400 naming it', async () => {
    const res = await admin.get('/api/audit/export').expect(400);
    expect(res.body.message).toMatch(/format/);
    await admin.get('/api/audit/export?format=xlsx').expect(400);
  });

  it('should record the export itself as audit.export', async () => {
    await admin.get('/api/audit/export?format=ndjson&action=test.inject.formula').expect(200);
    const rows = await waitFor(async () => {
      const r = await pg.query(`SELECT args_json, result_code FROM audit_log WHERE action = 'audit.export' AND args_json->'query'->>'action' = 'test.inject.formula'`);
      return r.rows.length ? r.rows : null;
    });
    expect(rows[0].result_code).toBe(200);
  });

  it('should stop reading from the database while the client is not reading', async () => {
    const exporter = app.get(AuditExportService);
    const res = new SlowResponse();
    const done = exporter.stream({ action_prefix: 'test.bulk.' }, 'ndjson', res as unknown as Response, { revealSource: true });
    await new Promise((r) => setTimeout(r, 500));
    // One batch (1,000 rows) reached the socket and the walk waits for it to drain.
    expect(res.lines).toBe(1000);
    res.resume();
    expect(await done).toBe(2500);
    expect(res.lines).toBe(2500);
  });
});
