import type { AuditEntryDto, AuditPage } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const PASSWORD = 'long-enough-password';
const WINDOW = 'since=2001-01-01T00:00:00Z&until=2001-01-02T00:00:00Z';
const OTHER_USER = '11111111-1111-4111-8111-111111111111';

interface Seed {
  name: string;
  hour: number;
  action: string;
  user: 'admin' | 'other' | null;
  decision: 'allow' | 'deny';
  resource: string;
  jid?: string;
}

/** Rows in 2001, far from anything the api writes now; ties at 02:00 and 03:00 test the id tie-break. */
const SEEDS: Seed[] = [
  { name: 'r1', hour: 1, action: 'zz.alpha', user: 'admin', decision: 'allow', resource: 'user:x' },
  { name: 'r2', hour: 2, action: 'zz.a_b', user: null, decision: 'deny', resource: 'minion:web1', jid: '20010101020000000001' },
  { name: 'r3', hour: 2, action: 'zz.aXb', user: 'admin', decision: 'allow', resource: 'minion:web1' },
  { name: 'r4', hour: 3, action: 'zz%pct', user: 'other', decision: 'deny', resource: 'settings:salt' },
  { name: 'r5', hour: 3, action: 'zz.alpha', user: 'other', decision: 'allow', resource: 'user:x', jid: '20010101030000000002' },
  { name: 'r6', hour: 4, action: 'zzpct', user: 'admin', decision: 'allow', resource: 'role:ops' },
  { name: 'r7', hour: 5, action: 'zz.beta', user: null, decision: 'deny', resource: 'user:x' },
];

describe('GET /api/audit: filters, pagination and who sees what', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;
  let auditor: ApiClient;
  let adminId: string;
  const ids = new Map<string, string>();
  const nameOf = new Map<string, string>();

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    adminId = (await db.userId('admin')) ?? '';
    expect((await admin.post('/api/users', { username: 'auditor1', password: PASSWORD, roles: ['auditor'] })).status).toBe(201);
    auditor = await ApiClient.signedIn(api.url, 'auditor1', PASSWORD);
    for (const s of SEEDS) {
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO audit_log (at, user_id, action, resource, args_json, salt_jid, decision, result_code, duration_ms, source_ip, user_agent, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 200, 3, '10.0.0.9', 'seed-agent', $8) RETURNING id::text AS id`,
        [
          `2001-01-01T0${s.hour}:00:00Z`, s.user === 'admin' ? adminId : s.user === 'other' ? OTHER_USER : null,
          s.action, s.resource, JSON.stringify({ seed: s.name }), s.jid ?? null, s.decision, `seed-${s.name}`,
        ],
      );
      ids.set(s.name, row.id);
      nameOf.set(row.id, s.name);
    }
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  async function page(query: string, c: ApiClient = admin) {
    const r = await c.get<AuditPage>(`/api/audit?${query}`);
    if (r.status !== 200) throw new Error(`GET /api/audit?${query}: ${r.status} ${r.text}`);
    return r.body;
  }
  const names = (p: AuditPage) => p.entries.map((e: AuditEntryDto) => nameOf.get(e.id) ?? `?${e.action}`);

  it('should answer newest first with ties broken by id and the documented page shape', async () => {
    const p = await page(WINDOW);
    expect(Object.keys(p).sort()).toEqual(['entries', 'newest_cursor', 'next_before_cursor', 'total', 'total_is_estimate']);
    expect(names(p)).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(p.total).toBe(7);
    expect(p.next_before_cursor).toBeNull();
    expect(p.newest_cursor).toBe(`2001-01-01T05:00:00.000000Z|${ids.get('r7')}`);
    expect(p.entries[1]).toMatchObject({ action: 'zzpct', user_id: adminId, username: 'admin', args_json: { seed: 'r6' }, request_id: 'seed-r6' });
  });

  it.each([
    ['user_id', () => `user_id=${adminId}`, ['r6', 'r3', 'r1']],
    ['action (exact)', () => 'action=zz.alpha', ['r5', 'r1']],
    ['action_prefix', () => 'action_prefix=zz.a', ['r5', 'r3', 'r2', 'r1']],
    ['action_prefix with a literal _', () => 'action_prefix=zz.a_', ['r2']],
    ['action_prefix with a literal %', () => 'action_prefix=zz%25', ['r4']],
    ['action_prefix with a backslash', () => 'action_prefix=zz%5C', []],
    ['decision', () => 'decision=deny', ['r7', 'r4', 'r2']],
    ['resource', () => 'resource=minion:web1', ['r3', 'r2']],
    ['salt_jid', () => 'salt_jid=20010101020000000001', ['r2']],
    ['several filters at once', () => `decision=allow&action_prefix=zz.a&user_id=${adminId}`, ['r3', 'r1']],
  ])('should filter by %s', async (_label, query, want) => {
    const p = await page(`${WINDOW}&${query()}`);
    expect(names(p)).toEqual(want);
    expect(p.total).toBe(want.length);
  });

  it('should treat since as inclusive and until as exclusive', async () => {
    expect(names(await page('since=2001-01-01T02:00:00Z&until=2001-01-01T03:00:00Z'))).toEqual(['r3', 'r2']);
    expect(names(await page('since=2001-01-01T00:00:00Z&until=2001-01-01T02:00:00Z'))).toEqual(['r1']);
    expect(names(await page('since=2001-01-01T05:00:00Z&until=2001-01-01T05:00:00.000001Z'))).toEqual(['r7']);
  });

  it('should page with limit and offset and count the whole filtered set', async () => {
    const first = await page(`${WINDOW}&limit=2`);
    expect(names(first)).toEqual(['r7', 'r6']);
    expect(first.total).toBe(7);
    expect(first.next_before_cursor).toBe(`2001-01-01T04:00:00.000000Z|${ids.get('r6')}|7`);
    expect(names(await page(`${WINDOW}&limit=2&offset=2`))).toEqual(['r5', 'r4']);
    expect(names(await page(`${WINDOW}&limit=2&offset=6`))).toEqual(['r1']);
    expect(names(await page(`${WINDOW}&offset=7`))).toEqual([]);
    expect((await page(`${WINDOW}&limit=1`)).entries).toHaveLength(1);
    expect((await page(`${WINDOW}&limit=500`)).entries).toHaveLength(7);
    expect((await page('limit=500')).entries.length).toBeGreaterThan(7);
  });

  it('should walk back with before_cursor across tied timestamps, each row once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: AuditPage = await page(`${WINDOW}&limit=3${cursor ? `&before_cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...names(p));
      expect(p.total).toBe(7);
      cursor = p.next_before_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(pages).toBe(3);
  });

  it('should walk forward with since_cursor oldest first, from a tie, until nothing is new', async () => {
    const start = `2001-01-01T02:00:00.000000Z|${ids.get('r2')}`;
    const a = await page(`${WINDOW}&limit=2&since_cursor=${encodeURIComponent(start)}`);
    expect(names(a)).toEqual(['r3', 'r4']);
    expect(a.next_before_cursor).toBeNull();
    const b = await page(`${WINDOW}&limit=2&since_cursor=${encodeURIComponent(a.newest_cursor ?? '')}`);
    expect(names(b)).toEqual(['r5', 'r6']);
    const c = await page(`${WINDOW}&limit=2&since_cursor=${encodeURIComponent(b.newest_cursor ?? '')}`);
    expect(names(c)).toEqual(['r7']);
    const d = await page(`${WINDOW}&limit=2&since_cursor=${encodeURIComponent(c.newest_cursor ?? '')}`);
    expect(names(d)).toEqual([]);
    expect(d.newest_cursor).toBe(c.newest_cursor);
  });

  it('should combine since_cursor and before_cursor into a closed range, newest first', async () => {
    const after = `2001-01-01T01:00:00.000000Z|${ids.get('r1')}`;
    const before = `2001-01-01T05:00:00.000000Z|${ids.get('r7')}`;
    const p = await page(`before_cursor=${encodeURIComponent(before)}&since_cursor=${encodeURIComponent(after)}`);
    expect(names(p)).toEqual(['r6', 'r5', 'r4', 'r3', 'r2']);
  });

  it.each([
    ['limit=0', /^limit:/],
    ['limit=501', /^limit:/],
    ['limit=-1', /^limit:/],
    ['limit=abc', /^limit:/],
    ['limit=1.5', /^limit:/],
    ['offset=-1', /^offset:/],
    ['offset=x', /^offset:/],
    ['user_id=not-a-uuid', /^user_id:/],
    ['decision=maybe', /^decision:/],
    ['since=yesterday', /^since:/],
    ['until=2001-13-01T00:00:00Z', /^until:/],
    ['until=2024-W01', /^until:/],
    ['since=2001-01-01T00:00:00Z&since=2001-01-02T00:00:00Z', /^since:/],
    ['action=%00x', /^action:/],
    ['action_prefix=zz%00', /^action_prefix:/],
    ['resource=a%00b', /^resource:/],
    ['before_cursor=garbage', /^before_cursor:/],
    ['before_cursor=2001-01-01T00:00:00Z', /^before_cursor:/],
    ['before_cursor=2001-01-01T00:00:00Z%7Cabc', /^before_cursor:/],
    ['before_cursor=2001-02-30T00:00:00Z%7C5', /^before_cursor:/],
    ['before_cursor=2001-01-01T00:00:00Z%7C9999999999999999999', /^before_cursor:/],
    ['since_cursor=2001-01-01%7C5', /^since_cursor:/],
    ['bogus=1', /bogus/],
  ])('should answer %s with 400 naming the parameter', async (query, re) => {
    const r = await admin.get<{ statusCode: number; message: string }>(`/api/audit?${query}`);
    expect({ query, status: r.status }).toEqual({ query, status: 400 });
    expect(r.body.message).toMatch(re);
  });

  it('should show source_ip and user_agent to admins only', async () => {
    const mine = await page(`${WINDOW}&limit=1`);
    expect(mine.entries[0]).toMatchObject({ source_ip: '10.0.0.9', user_agent: 'seed-agent' });
    const theirs = await page(`${WINDOW}&limit=1`, auditor);
    expect(theirs.entries[0].id).toBe(mine.entries[0].id);
    expect(theirs.entries[0]).toMatchObject({ source_ip: null, user_agent: null, request_id: 'seed-r7' });
  });

  it('should record every read of the audit log with its filters, bad ones included', async () => {
    const ok = tagged('audit-read');
    expect((await auditor.get(`/api/audit?action=zz.alpha&limit=5`, ok.headers)).status).toBe(200);
    const row = await db.rowOf(ok.id);
    expect(row).toMatchObject({ action: 'audit.read', decision: 'allow', result_code: 200, user_id: await db.userId('auditor1') });
    expect(row.args_json).toMatchObject({ query: { action: 'zz.alpha', limit: '5' } });

    const bad = tagged('audit-read-bad');
    expect((await auditor.get('/api/audit?limit=0', bad.headers)).status).toBe(400);
    expect(await db.rowOf(bad.id)).toMatchObject({ action: 'audit.read', result_code: 400 });
  });
});
