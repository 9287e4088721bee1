import { formatDuration, oneLine, searchText } from './text';
import type { JobContext, NormalizedActivity } from './types';

/** How long a minion has to return before it is reported (state runs can take many minutes). */
export const DEFAULT_NORETURN_DEADLINE_MS = 15 * 60_000;

/** A remembered job and the expected minions that have not returned yet (null: none left to report). */
export interface TrackedJob {
  ctx: JobContext;
  pending: Set<string> | null;
}

/**
 * "Did not return" never appears on the bus (PROTOCOL.md §4.3): it is `job.new` minions minus the
 * returns seen, once the deadline has passed. Pure: reads the jobs, changes nothing. The row's
 * `occurredAt` is the deadline itself, so the same miss always yields the same row.
 */
export function noReturnRows(
  jobs: Iterable<Readonly<TrackedJob>>,
  now: Date,
  deadlineMs: number,
): NormalizedActivity[] {
  const rows: NormalizedActivity[] = [];
  const nowMs = now.getTime();
  for (const { ctx, pending } of jobs) {
    if (!pending || pending.size === 0 || !ctx.dispatchedAt) continue;
    const dueMs = ctx.dispatchedAt.getTime() + deadlineMs;
    if (dueMs > nowMs) continue;
    for (const minionId of pending) rows.push(noReturnRow(ctx, minionId, new Date(dueMs), now, deadlineMs));
  }
  return rows;
}

function noReturnRow(
  ctx: JobContext,
  minionId: string,
  occurredAt: Date,
  receivedAt: Date,
  deadlineMs: number,
): NormalizedActivity {
  const what = ctx.fun ?? 'job';
  const summary = oneLine(`${minionId} did not return ${what} within ${formatDuration(deadlineMs)}`);
  const tag = `sylvite/job/${ctx.jid}/noreturn/${minionId}`;
  const text = JSON.stringify({
    tag,
    data: { jid: ctx.jid, id: minionId, fun: ctx.fun, deadline_ms: deadlineMs, _stamp: occurredAt.toISOString() },
  });
  return {
    kind: 'job.noreturn',
    category: 'job',
    outcome: 'noreturn',
    tag,
    occurredAt,
    receivedAt,
    jid: ctx.jid,
    minionId,
    minions: null,
    fun: ctx.fun,
    initiator: ctx.initiator,
    target: ctx.target,
    targetType: ctx.targetType,
    retcode: null,
    success: null,
    changesCount: null,
    stateCount: null,
    failedCount: null,
    durationMs: null,
    runner: false,
    summary,
    searchText: searchText([summary, minionId, ctx.fun, ctx.initiator, ctx.target]),
    dedupeKey: `${ctx.jid}|${minionId}|job.noreturn`,
    needsBackfill: false,
    raw: { text, size: Buffer.byteLength(text, 'utf8'), truncated: false, valueTrimmed: false },
  };
}
