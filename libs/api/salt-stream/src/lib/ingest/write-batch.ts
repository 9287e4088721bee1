import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ActivityEventDto } from '@sylvite/contracts';
import type { JobContext, NormalizedActivity } from '../normalize';
import {
  COPY_BINARY_HEADER, COPY_BINARY_TRAILER, copyBinaryTuple, copyBool, copyFloat, copyInt, copyRow, copyText, copyTextArray, copyTime,
} from './copy-format';

/** The columns the writer fills; a test checks them against the migrated tables. */
export const ACTIVITY_EVENT_COLUMNS = [
  'id', 'occurred_at', 'received_at', 'category', 'event_type', 'outcome', 'tag', 'minion_id', 'jid', 'fun',
  'initiator', 'target', 'target_type', 'retcode', 'success', 'changes_count', 'duration_ms', 'minions',
  'summary', 'search_text', 'dedupe_key',
] as const;

export const ACTIVITY_PAYLOAD_COLUMNS = ['id', 'occurred_at', 'raw', 'raw_size', 'raw_truncated', 'value_trimmed'] as const;

export const ACTIVITY_NOTIFY_CHANNEL = 'sylvite_activity';

/** `NOTIFY sylvite_activity` payload: one per committed batch, never one per row. */
export interface ActivityNotice {
  max_id: string;
  count: number;
  categories: string[];
}

export interface WrittenRow {
  id: string;
  row: NormalizedActivity;
}

export interface BatchResult {
  written: WrittenRow[];
  /** Rows whose dedupe key was already stored (or repeated inside the batch). */
  duplicates: number;
}

/** Initiator/target learned for a jid after some of its returns were stored. */
export type Backfill = Pick<JobContext, 'jid' | 'initiator' | 'target' | 'targetType'>;

/** The UTC day (`YYYY-MM-DD`) a row's partition covers. */
export function partitionDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Creates the day partitions a batch needs (both tables), outside the batch's transaction:
 * `sylvite_ensure_activity_partition` serializes creators with an advisory lock.
 */
export async function ensurePartitions(client: Client, rows: readonly NormalizedActivity[], known: Set<string>): Promise<void> {
  const missing = new Set<string>();
  for (const r of rows) {
    const day = partitionDay(r.occurredAt);
    if (!known.has(day)) missing.add(day);
  }
  if (missing.size === 0) return;
  const days = [...missing];
  await client.query('SELECT sylvite_ensure_activity_partition(d) FROM unnest($1::date[]) AS d', [days]);
  for (const d of days) known.add(d);
}

function eventLine(id: string, r: NormalizedActivity): string {
  return copyRow([
    id,
    copyTime(r.occurredAt),
    copyTime(r.receivedAt),
    copyText(r.category),
    copyText(r.kind),
    copyText(r.outcome),
    copyText(r.tag),
    copyText(r.minionId),
    copyText(r.jid),
    copyText(r.fun),
    copyText(r.initiator),
    copyText(r.target),
    copyText(r.targetType),
    copyInt(r.retcode),
    copyBool(r.success),
    copyInt(r.changesCount),
    copyFloat(r.durationMs),
    copyTextArray(r.minions),
    copyText(r.summary),
    copyText(r.searchText),
    copyText(r.dedupeKey),
  ]);
}

function payloadTuple(id: string, r: NormalizedActivity): Buffer {
  return copyBinaryTuple([
    { int8: id }, { timestamptz: r.occurredAt }, { text: r.raw.text }, { int4: r.raw.size }, { bool: r.raw.truncated }, { bool: r.raw.valueTrimmed },
  ]);
}

/** Streams text lines or binary tuples into `COPY … FROM STDIN`, in ~256 KiB writes, respecting backpressure. */
async function copyInto(client: Client, sql: string, pieces: Iterable<string | Buffer>, binary = false): Promise<void> {
  const stream = client.query(copyFrom(sql));
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const write = async (chunk: string | Buffer) => {
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        stream.once('drain', resolve);
        stream.once('error', reject);
      });
    }
  };
  let text = '';
  let bufs: Buffer[] = [];
  let size = 0;
  if (binary) bufs.push(COPY_BINARY_HEADER);
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      text += piece;
      if (text.length >= 256 * 1024) {
        await write(text);
        text = '';
      }
    } else {
      bufs.push(piece);
      size += piece.length;
      if (size >= 256 * 1024) {
        await write(Buffer.concat(bufs));
        bufs = [];
        size = 0;
      }
    }
  }
  if (binary) bufs.push(COPY_BINARY_TRAILER);
  stream.end(binary ? Buffer.concat(bufs) : text);
  await finished;
}

function* map<T, U>(items: readonly T[], fn: (t: T) => U): Iterable<U> {
  for (const t of items) yield fn(t);
}

/**
 * Writes one batch in one transaction: keeps only dedupe keys the ledger did not have (and
 * allocates their ids in the same round trip), COPYs the narrow rows and their payloads, fixes
 * earlier rows of backfilled jobs, and announces the batch with a single NOTIFY — inside the
 * transaction, so it is delivered exactly when the rows become visible and never for a rollback.
 * The partitions must exist (`ensurePartitions`). Rolls back and rethrows on any error.
 */
export async function writeActivityBatch(
  client: Client,
  rows: readonly NormalizedActivity[],
  backfills: readonly Backfill[] = [],
  notifyChannel: string | null = ACTIVITY_NOTIFY_CHANNEL,
): Promise<BatchResult> {
  // First occurrence of each key wins: a key repeated inside the batch is a duplicate too.
  const byKey = new Map<string, NormalizedActivity>();
  for (const r of rows) if (!byKey.has(r.dedupeKey)) byKey.set(r.dedupeKey, r);
  const keys = [...byKey.keys()];
  const times = keys.map((k) => (byKey.get(k) as NormalizedActivity).occurredAt.toISOString());

  await client.query('BEGIN');
  try {
    let written: WrittenRow[] = [];
    if (keys.length > 0) {
      const fresh = await client.query<{ dedupe_key: string; id: string }>(
        `WITH fresh AS (
           INSERT INTO activity_dedupe (dedupe_key, occurred_at)
           SELECT * FROM unnest($1::text[], $2::timestamptz[])
           ON CONFLICT DO NOTHING RETURNING dedupe_key)
         SELECT dedupe_key, nextval('activity_events_id_seq')::text AS id FROM fresh`,
        [keys, times],
      );
      if (fresh.rows.length > 0) {
        const isFresh = new Set(fresh.rows.map((f) => f.dedupe_key));
        // Ids in arrival order, so that `id > last_seen` readers see the batch in stream order.
        const ids = fresh.rows.map((f) => BigInt(f.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const kept = keys.filter((k) => isFresh.has(k)).map((k) => byKey.get(k) as NormalizedActivity);
        written = kept.map((row, i) => ({ id: ids[i].toString(), row }));
        await copyInto(client, `COPY activity_events (${ACTIVITY_EVENT_COLUMNS.join(', ')}) FROM STDIN`, map(written, (w) => eventLine(w.id, w.row)));
        // Binary for the payloads: raw JSON needs no escaping that way (text COPY would double every backslash).
        await copyInto(client, `COPY activity_payloads (${ACTIVITY_PAYLOAD_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, map(written, (w) => payloadTuple(w.id, w.row)), true);
      }
    }
    if (backfills.length > 0) await applyBackfills(client, backfills);
    let tail = 'COMMIT';
    if (notifyChannel && written.length > 0) {
      const notice: ActivityNotice = {
        max_id: written[written.length - 1].id,
        count: written.length,
        categories: [...new Set(written.map((w) => w.row.category))].sort(),
      };
      tail = `SELECT pg_notify(${client.escapeLiteral(notifyChannel)}, ${client.escapeLiteral(JSON.stringify(notice))}); COMMIT`;
    }
    await client.query(tail);
    return { written, duplicates: rows.length - written.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Fills initiator / target / target type on stored returns of jobs whose context arrived later
 * (from `job.new` or the jobs index), and rebuilds their search text the way the normalizer does.
 */
export async function applyBackfills(client: Client, backfills: readonly Backfill[]): Promise<number> {
  const res = await client.query(
    `UPDATE activity_events e SET
       initiator = COALESCE(e.initiator, b.initiator),
       target = COALESCE(e.target, b.target),
       target_type = COALESCE(e.target_type, b.target_type),
       search_text = left(lower(concat_ws(' ', e.summary, e.minion_id, e.fun, COALESCE(e.initiator, b.initiator), COALESCE(e.target, b.target))), 2048)
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS b(jid, initiator, target, target_type)
     WHERE e.jid = b.jid AND e.event_type = 'job.ret'
       AND ((e.initiator IS NULL AND b.initiator IS NOT NULL) OR (e.target IS NULL AND b.target IS NOT NULL))`,
    [backfills.map((b) => b.jid), backfills.map((b) => b.initiator), backfills.map((b) => b.target), backfills.map((b) => b.targetType)],
  );
  return res.rowCount ?? 0;
}

/** The wire shape (ActivityEventDto) of a committed row. */
export function toActivityDto(w: WrittenRow): ActivityEventDto {
  const r = w.row;
  return {
    id: w.id,
    occurred_at: r.occurredAt.toISOString(),
    received_at: r.receivedAt.toISOString(),
    category: r.category,
    event_type: r.kind,
    outcome: r.outcome,
    minion_id: r.minionId,
    jid: r.jid,
    fun: r.fun,
    initiator: r.initiator,
    target: r.target,
    target_type: r.targetType,
    retcode: r.retcode,
    duration_ms: r.durationMs,
    summary: r.summary,
  };
}

/** SQLSTATE classes caused by a row's content: the batch is split to isolate the row. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return code.startsWith('22') || code.startsWith('23') || code.startsWith('54');
}
