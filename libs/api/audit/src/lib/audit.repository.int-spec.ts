import { BadRequestException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditPage } from '@sylvite/contracts';
import { dataSourceOptions } from '@sylvite/api-database';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import type { AuditQueryDto } from './audit-query.dto';
import { AuditRepository, likePrefix } from './audit.repository';

const USER = '22222222-2222-4222-8222-222222222222';

describe('AuditRepository (filters, keyset cursors, the count cap)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: AuditRepository;
  /** Row id → label, for readable expectations. */
  const label = new Map<string, string>();
  const idOf = new Map<string, string>();

  async function insert(name: string, at: string, fields: Partial<Record<'action' | 'user_id' | 'decision' | 'resource' | 'salt_jid', string>> = {}): Promise<void> {
    const [r] = await ds.query(
      `INSERT INTO audit_log (at, user_id, action, resource, decision, result_code, duration_ms, salt_jid, source_ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, 200, 1, $6, '192.0.2.7', 'ua') RETURNING id::text AS id`,
      [at, fields.user_id ?? null, fields.action ?? 'k.read', fields.resource ?? 'x:*', fields.decision ?? 'allow', fields.salt_jid ?? null],
    );
    label.set(r.id, name);
    idOf.set(name, r.id);
  }

  const page = (q: AuditQueryDto, revealSource = true) => repo.page(q, { revealSource });
  const names = (p: AuditPage) => p.entries.map((e) => label.get(e.id) ?? `?${e.id}`);
  /** The keyset rows: five at the very same instant, neighbours a microsecond apart. */
  const K = { since: '2010-01-01T00:00:00Z', until: '2010-01-02T00:00:00Z' };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, []));
    await ds.initialize();
    repo = new AuditRepository(ds);
    await insert('early', '2010-01-01T09:59:59.999999Z');
    for (const n of ['t1', 't2', 't3', 't4', 't5']) await insert(n, '2010-01-01T10:00:00Z');
    await insert('late', '2010-01-01T10:00:00.000001Z');

    await insert('f-user', '2011-01-01T01:00:00Z', { user_id: USER, action: 'user.create' });
    await insert('f-under', '2011-01-01T02:00:00Z', { action: 'a_b.x', decision: 'deny', resource: 'minion:db1' });
    await insert('f-nounder', '2011-01-01T03:00:00Z', { action: 'aXb.x', salt_jid: '20110101030000000001' });
    await insert('f-pct', '2011-01-01T04:00:00Z', { action: '100%.x' });
    await insert('f-slash', '2011-01-01T05:00:00Z', { action: 'back\\slash' });
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('should escape %, _ and backslash when it builds a LIKE prefix', () => {
    expect(likePrefix('a_b%c\\d')).toBe('a\\_b\\%c\\\\d%');
    expect(likePrefix('')).toBe('%');
  });

  it.each<[string, AuditQueryDto, string[]]>([
    ['user_id', { user_id: USER }, ['f-user']],
    ['action', { action: 'a_b.x' }, ['f-under']],
    ['a literal _ in action_prefix', { action_prefix: 'a_b' }, ['f-under']],
    ['a literal % in action_prefix', { action_prefix: '100%' }, ['f-pct']],
    ['a literal backslash in action_prefix', { action_prefix: 'back\\' }, ['f-slash']],
    ['decision', { decision: 'deny' }, ['f-under']],
    ['resource', { resource: 'minion:db1' }, ['f-under']],
    ['salt_jid', { salt_jid: '20110101030000000001' }, ['f-nounder']],
  ])('should filter by %s', async (_name, q, want) => {
    const p = await page({ since: '2011-01-01T00:00:00Z', until: '2011-01-02T00:00:00Z', ...q });
    expect(names(p)).toEqual(want);
    expect(p.total).toBe(want.length);
  });

  it('should bound time with since inclusive and until exclusive, to the microsecond', async () => {
    expect(names(await page({ since: '2010-01-01T10:00:00Z', until: '2010-01-01T10:00:00.000001Z' }))).toEqual(['t5', 't4', 't3', 't2', 't1']);
    expect(names(await page({ since: '2010-01-01T10:00:00.000001Z', until: K.until }))).toEqual(['late']);
    expect(names(await page({ since: K.since, until: '2010-01-01T10:00:00Z' }))).toEqual(['early']);
  });

  it('should walk a run of equal timestamps with before_cursor, each row once, in id order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const p: AuditPage = await page({ ...K, limit: 2, ...(cursor ? { before_cursor: cursor } : {}) });
      seen.push(...names(p));
      cursor = p.next_before_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['late', 't5', 't4', 't3', 't2', 't1', 'early']);
  });

  it('should keep microseconds in cursors so a neighbour a microsecond away is neither skipped nor repeated', async () => {
    const first = await page({ ...K, limit: 1 });
    expect(names(first)).toEqual(['late']);
    expect(first.next_before_cursor).toBe(`2010-01-01T10:00:00.000001Z|${idOf.get('late')}|7`);
    const next = await page({ ...K, limit: 1, before_cursor: first.next_before_cursor ?? '' });
    expect(names(next)).toEqual(['t5']);
  });

  it('should walk forward oldest first with since_cursor from inside a tie', async () => {
    const start = `2010-01-01T10:00:00.000000Z|${idOf.get('t2')}`;
    const a = await page({ ...K, limit: 2, since_cursor: start });
    expect(names(a)).toEqual(['t3', 't4']);
    expect(a.next_before_cursor).toBeNull();
    const b = await page({ ...K, limit: 5, since_cursor: a.newest_cursor ?? '' });
    expect(names(b)).toEqual(['t5', 'late']);
    const c = await page({ ...K, since_cursor: b.newest_cursor ?? '' });
    expect(names(c)).toEqual([]);
    expect(c.newest_cursor).toBe(b.newest_cursor);
  });

  it('should read a cursor written with a zone offset as the same instant', async () => {
    const p = await page({ ...K, before_cursor: `2010-01-01T12:00:00+02:00|${idOf.get('t3')}` });
    expect(names(p)).toEqual(['t2', 't1', 'early']);
  });

  it('should give a closed range, newest first, when both cursors are set', async () => {
    const p = await page({
      before_cursor: `2010-01-01T10:00:00Z|${idOf.get('t5')}`,
      since_cursor: `2010-01-01T10:00:00Z|${idOf.get('t1')}`,
    });
    expect(names(p)).toEqual(['t4', 't3', 't2']);
    expect(p.next_before_cursor).toBeNull();
  });

  it('should combine offset with a cursor and still count the whole filtered set', async () => {
    const p = await page({ ...K, limit: 2, offset: 1, before_cursor: `2010-01-01T10:00:00.000001Z|${idOf.get('late')}` });
    expect(names(p)).toEqual(['t4', 't3']);
    expect(p.total).toBe(7);
  });

  it('should repeat the first page total on a cursor page instead of counting again', async () => {
    const W = { since: '2013-01-01T00:00:00Z', until: '2013-01-02T00:00:00Z' };
    for (const [n, at] of [['w1', '01'], ['w2', '02'], ['w3', '03']]) await insert(n, `2013-01-01T${at}:00:00Z`);
    const first = await page({ ...W, limit: 2 });
    expect(first).toMatchObject({ total: 3, total_is_estimate: false });
    expect(first.next_before_cursor).toMatch(/\|3$/);
    // A row that arrives between pages does not change what the walk reports (audit rows stay).
    await insert('w0', '2013-01-01T00:30:00Z');
    const second = await page({ ...W, limit: 2, before_cursor: first.next_before_cursor ?? '' });
    expect(names(second)).toEqual(['w1', 'w0']);
    expect(second).toMatchObject({ total: 3, total_is_estimate: false });
    // A cursor without a total is counted as before; a carried bound stays a bound.
    const bare = (first.next_before_cursor ?? '').split('|').slice(0, 2).join('|');
    await expect(page({ ...W, limit: 1, before_cursor: bare })).resolves.toMatchObject({ total: 4, total_is_estimate: false });
    const bound = await page({ ...W, limit: 1, before_cursor: `${bare}|~10000` });
    expect(bound).toMatchObject({ total: 10_000, total_is_estimate: true });
    expect(bound.next_before_cursor).toMatch(/\|~10000$/);
  });

  it.each([
    'garbage',
    '2010-02-30T00:00:00Z|1',
    '2010-01-01T00:00:00+16:00|1',
    '2010-01-01T00:00:00Z|9223372036854775808',
    '0000-01-01T00:00:00Z|1',
  ])('should refuse the cursor %s with a 400 naming the parameter', async (cursor) => {
    await expect(page({ before_cursor: cursor })).rejects.toThrow(BadRequestException);
    await expect(page({ since_cursor: cursor })).rejects.toThrow(/^since_cursor: malformed cursor$/);
  });

  it('should accept the largest bigint id in a cursor', async () => {
    const p = await page({ ...K, before_cursor: '2010-01-01T10:00:00Z|9223372036854775807' });
    expect(names(p)).toEqual(['t5', 't4', 't3', 't2', 't1', 'early']);
  });

  it('should hide source_ip and user_agent unless asked to reveal them', async () => {
    const shown = await page({ ...K, limit: 1 }, true);
    expect(shown.entries[0]).toMatchObject({ source_ip: '192.0.2.7', user_agent: 'ua' });
    const hidden = await page({ ...K, limit: 1 }, false);
    expect(hidden.entries[0]).toMatchObject({ source_ip: null, user_agent: null });
  });

  it('should count exactly up to 10,000 rows and report a bounded estimate beyond', async () => {
    await ds.query(
      `INSERT INTO audit_log (at, action, resource, decision)
       SELECT timestamptz '2012-01-01T00:00:00Z' + make_interval(secs => g), 'bulk.row', 'x:*', 'allow' FROM generate_series(1, 10050) g`,
    );
    const all = await page({ action: 'bulk.row', limit: 1 });
    expect(all).toMatchObject({ total: 10_000, total_is_estimate: true });
    const exact = await page({ action: 'bulk.row', until: '2012-01-01T02:46:40Z', limit: 1 });
    expect(exact).toMatchObject({ total: 9_999, total_is_estimate: false });
    const capped = await page({ action: 'bulk.row', until: '2012-01-01T02:46:41Z', limit: 1 });
    expect(capped).toMatchObject({ total: 10_000, total_is_estimate: false });
  });
});
