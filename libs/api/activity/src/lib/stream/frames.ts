import type { ActivityEventDto } from '@sylvite/contracts';

/** Exactly the contract's fields: a bus row may carry more (its expected minions) that stay server-side. */
export function toWire(row: ActivityEventDto): ActivityEventDto {
  return {
    id: row.id,
    occurred_at: row.occurred_at,
    received_at: row.received_at,
    category: row.category,
    event_type: row.event_type,
    outcome: row.outcome,
    minion_id: row.minion_id,
    jid: row.jid,
    fun: row.fun,
    initiator: row.initiator,
    target: row.target,
    target_type: row.target_type,
    retcode: row.retcode,
    duration_ms: row.duration_ms,
    summary: row.summary,
  };
}

// Rows are immutable once published, so a row's frame is built once however many streams get it.
const frames = new WeakMap<object, string>();

/** `id:` is the row id so a browser's `Last-Event-ID` names the last row it received. */
export function activityFrame(row: ActivityEventDto): string {
  let f = frames.get(row);
  if (f === undefined) {
    f = `id: ${row.id}\nevent: activity\ndata: ${JSON.stringify(toWire(row))}\n\n`;
    frames.set(row, f);
  }
  return f;
}

/** No `id:` line: a status message must not move the client's resume point. */
export function namedFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const HEARTBEAT_FRAME = ': heartbeat\n\n';

/** How long a browser waits before reconnecting after the stream drops. */
export const RETRY_FRAME = 'retry: 3000\n\n';
