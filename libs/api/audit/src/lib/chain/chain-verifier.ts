import { GENESIS_HASH, positionMac, rowHash, sameBytes, type ChainKeys } from './canonical';
import { canonColumns, normalizeCanon, readStateSql, type ChainState, type SealedRow } from './chain.sql';

export type Query = (sql: string, params?: unknown[]) => Promise<unknown[]>;

export type BreakKind = 'modified' | 'deleted' | 'inserted' | 'reordered';

export interface ChainBreak {
  kind: BreakKind;
  /** The row that breaks the chain (for a truncated tail: the head row that should exist). */
  id: string | null;
  seq: string | null;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  checked: number;
  first_seq: string | null;
  last_seq: string | null;
  anchor: { seq: string; id: string | null; hash: string };
  head: { seq: string; id: string | null; hash: string };
  /** Rows written but not yet sealed (requests in flight): not part of the chain yet. */
  pending: number;
  /** How many rows each known key verified: index 0 is the current secret, then previous ones. */
  rows_by_key: number[];
  broken: ChainBreak | null;
  started_at: string;
  duration_ms: number;
}

export interface VerifyOptions {
  /** Start at the first row at or after this time instead of the anchor. */
  since?: string;
  batchSize?: number;
}

const SEALED_COLUMNS = `${canonColumns('a')}, a.chain_seq::text AS chain_seq, a.prev_hash, a.hash`;

/**
 * Walks the chain from its anchor (or from `since`) to the head in keyset batches — bounded
 * memory at any size — and names the first row that breaks it. Callers run it inside one
 * REPEATABLE READ transaction so concurrent appends and purges cannot look like tampering.
 */
export class ChainVerifier {
  constructor(private readonly query: Query, private readonly keys: ChainKeys) {}

  async verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
    const started = Date.now();
    const batch = opts.batchSize ?? 1000;
    const state = (await this.query(readStateSql))[0] as ChainState | undefined;
    if (!state) throw new Error('audit_chain_state is missing: migrations have not run');
    const headSeq = BigInt(state.head_seq);
    const anchorSeq = BigInt(state.anchor_seq);
    const [{ n: pending }] = (await this.query(`SELECT count(*)::int AS n FROM audit_log WHERE hash IS NULL`)) as { n: number }[];
    const report: VerifyReport = {
      ok: true, checked: 0, first_seq: null, last_seq: null, pending, rows_by_key: this.keys.keys.map(() => 0), broken: null,
      anchor: { seq: state.anchor_seq, id: state.anchor_id, hash: state.anchor_hash.toString('hex') },
      head: { seq: state.head_seq, id: state.head_id, hash: state.head_hash.toString('hex') },
      started_at: new Date(started).toISOString(), duration_ms: 0,
    };
    const done = (b: ChainBreak | null) => {
      report.broken = b;
      report.ok = !b;
      report.duration_ms = Date.now() - started;
      return report;
    };

    const anchorBreak = this.checkAnchor(state, anchorSeq);
    if (anchorBreak) return done(anchorBreak);

    let prev = state.anchor_hash;
    let cursor = anchorSeq;
    if (opts.since) {
      const start = (await this.query(
        `SELECT a.chain_seq::text AS seq, a.prev_hash FROM audit_log a
          WHERE a.chain_seq = (SELECT min(chain_seq) FROM audit_log WHERE at >= $1::timestamptz AND chain_seq > $2::bigint)`,
        [opts.since, anchorSeq.toString()],
      )) as { seq: string; prev_hash: Buffer }[];
      if (!start.length) return done(null);
      cursor = BigInt(start[0].seq) - 1n;
      prev = start[0].prev_hash;
    }

    let last: SealedRow | null = null;
    for (;;) {
      const rows = (await this.query(
        `SELECT ${SEALED_COLUMNS} FROM audit_log a WHERE a.chain_seq > $1::bigint AND a.chain_seq <= $2::bigint
          ORDER BY a.chain_seq LIMIT $3`,
        [cursor.toString(), headSeq.toString(), batch],
      )) as SealedRow[];
      for (const raw of rows) {
        const r = normalizeCanon(raw);
        report.first_seq ??= r.chain_seq;
        const key = this.keys.match(r.hash, (k) => rowHash(k, r, r.prev_hash));
        if (key < 0 || !sameBytes(r.prev_hash, prev)) return done(await this.classify(r, prev, key >= 0));
        report.rows_by_key[key]++;
        report.checked++;
        report.last_seq = r.chain_seq;
        prev = r.hash;
        last = r;
      }
      if (rows.length < batch) break;
      cursor = BigInt(rows[rows.length - 1].chain_seq);
    }

    const headBreak = this.checkHead(state, anchorSeq, headSeq);
    if (headBreak) return done(headBreak);
    if (!opts.since || last) {
      const endsAtHead = last ? sameBytes(last.hash, state.head_hash) && last.id === state.head_id : headSeq === anchorSeq;
      if (!endsAtHead) {
        return done({
          kind: 'deleted', id: state.head_id, seq: state.head_seq,
          detail: `the chain ends at ${last ? `seq ${last.chain_seq} (id ${last.id})` : 'its anchor'} but its head is seq ${state.head_seq} (id ${state.head_id}): the rows after it were removed`,
        });
      }
    }
    const stray = (await this.query(
      `SELECT a.id::text AS id, a.chain_seq::text AS seq FROM audit_log a
        WHERE a.chain_seq > $1::bigint OR a.chain_seq <= $2::bigint ORDER BY a.chain_seq LIMIT 1`,
      [headSeq.toString(), anchorSeq.toString()],
    )) as { id: string; seq: string }[];
    if (stray.length) {
      return done({ kind: 'inserted', id: stray[0].id, seq: stray[0].seq, detail: `row ${stray[0].id} sits outside the chain (seq ${stray[0].seq}, anchor ${state.anchor_seq}, head ${state.head_seq})` });
    }
    return done(null);
  }

  /** The walk starts from the anchor: it must be genesis, or signed by the purge that moved it. */
  private checkAnchor(s: ChainState, anchorSeq: bigint): ChainBreak | null {
    if (anchorSeq === 0n) {
      if (!sameBytes(s.anchor_hash, GENESIS_HASH)) return { kind: 'modified', id: null, seq: '0', detail: 'the genesis anchor was changed' };
    } else if (this.keys.match(s.anchor_mac, (k) => positionMac(k, 'anchor', s.anchor_seq, s.anchor_id, s.anchor_hash)) < 0) {
      return { kind: 'modified', id: s.anchor_id, seq: s.anchor_seq, detail: 'the anchor left by retention is not signed by any known key' };
    }
    return null;
  }

  /** The head record is what makes a cut tail visible, so it must be authentic too. */
  private checkHead(s: ChainState, anchorSeq: bigint, headSeq: bigint): ChainBreak | null {
    if (headSeq !== anchorSeq || s.head_mac) {
      if (this.keys.match(s.head_mac, (k) => positionMac(k, 'head', s.head_seq, s.head_id, s.head_hash)) < 0) {
        return { kind: 'modified', id: s.head_id, seq: s.head_seq, detail: 'the chain head record is not signed by any known key' };
      }
    }
    return null;
  }

  /** The first row that does not follow `prev` or whose hash fails: say what happened to it. */
  private async classify(r: SealedRow, prev: Buffer, authentic: boolean): Promise<ChainBreak> {
    const at = { id: r.id, seq: r.chain_seq };
    const linked = sameBytes(r.prev_hash, prev);
    if (!authentic) {
      const swapped = await this.sealedAs(r);
      if (swapped) return { kind: 'reordered', ...at, detail: `row ${r.id} at seq ${r.chain_seq} was sealed as id ${swapped}: ids were swapped` };
      if (!linked) {
        const next = await this.next(r.chain_seq);
        if (next && sameBytes(next.prev_hash, prev)) {
          return { kind: 'inserted', ...at, detail: `row ${r.id} at seq ${r.chain_seq} is not part of the chain: its successor follows the row before it` };
        }
      }
      return { kind: 'modified', ...at, detail: `row ${r.id} at seq ${r.chain_seq} does not match its hash: it was changed after sealing` };
    }
    const successor = (await this.query(`SELECT id::text AS id, chain_seq::text AS seq FROM audit_log WHERE prev_hash = $1`, [prev])) as {
      id: string; seq: string;
    }[];
    if (successor.length) {
      return { kind: 'reordered', ...at, detail: `row ${r.id} is at seq ${r.chain_seq} but the row that follows its predecessor is ${successor[0].id} (seq ${successor[0].seq})` };
    }
    return { kind: 'deleted', ...at, detail: `the row(s) before row ${r.id} (seq ${r.chain_seq}) were removed: it does not follow the previous row` };
  }

  /** When the row's hash holds with another nearby row's id, the ids were swapped. */
  private async sealedAs(r: SealedRow): Promise<string | null> {
    const near = (await this.query(
      `SELECT id::text AS id FROM audit_log WHERE chain_seq BETWEEN $1::bigint - 1000 AND $1::bigint + 1000 AND id <> $2::bigint`,
      [r.chain_seq, r.id],
    )) as { id: string }[];
    for (const { id } of near) {
      if (this.keys.match(r.hash, (k) => rowHash(k, { ...r, id }, r.prev_hash)) >= 0) return id;
    }
    return null;
  }

  private async next(seq: string): Promise<SealedRow | null> {
    const rows = (await this.query(
      `SELECT ${SEALED_COLUMNS} FROM audit_log a WHERE a.chain_seq > $1::bigint ORDER BY a.chain_seq LIMIT 1`,
      [seq],
    )) as SealedRow[];
    return rows.length ? normalizeCanon(rows[0]) : null;
  }
}
