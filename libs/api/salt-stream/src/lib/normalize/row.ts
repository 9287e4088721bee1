import { ACTIVITY_EVENT_CATEGORY, type ActivityEventType, type ActivityOutcome } from '@sylvite/contracts';
import { boundRaw } from './raw';
import type { ReturnAnalysis } from './returns';
import type { NormalizerState } from './state';
import { oneLine, searchText } from './text';
import type { BoundedRaw, IgnoreReason, NormalizeMeta, NormalizeResult, NormalizedActivity, SaltEvent } from './types';

/** Everything a tag handler needs about the event being normalized. */
export interface EventContext {
  event: SaltEvent;
  data: Record<string, unknown>;
  state: NormalizerState;
  meta: NormalizeMeta;
  occurredAt: Date;
  receivedAt: Date;
  /** `_stamp` as text (or the ISO time when absent), for identities of events without a jid. */
  stampText: string;
}

export function ignore(reason: IgnoreReason): NormalizeResult {
  return { type: 'ignored', reason };
}

export interface RowFields {
  kind: ActivityEventType;
  outcome: ActivityOutcome;
  summary: string;
  dedupeKey: string;
  jid?: string | null;
  minionId?: string | null;
  minions?: string[] | null;
  args?: unknown[] | null;
  fun?: string | null;
  initiator?: string | null;
  target?: string | null;
  targetType?: string | null;
  analysis?: ReturnAnalysis | null;
  runner?: boolean;
  needsBackfill?: boolean;
}

/** Builds the stored row; the raw payload is only measured and bounded here, for rows actually kept. */
export function activity(c: EventContext, f: RowFields): NormalizeResult {
  const raw: BoundedRaw = boundRaw(c.event, c.meta.rawJson, c.state.rawCapBytes);
  const summary = oneLine(f.summary);
  const minionId = f.minionId ?? null;
  const fun = f.fun ?? null;
  const initiator = f.initiator ?? null;
  const target = f.target ?? null;
  const a = f.analysis ?? null;
  const row: NormalizedActivity = {
    kind: f.kind,
    category: ACTIVITY_EVENT_CATEGORY[f.kind],
    outcome: f.outcome,
    tag: c.event.tag,
    occurredAt: c.occurredAt,
    receivedAt: c.receivedAt,
    jid: f.jid ?? null,
    minionId,
    minions: f.minions ?? null,
    args: f.args ?? null,
    fun,
    initiator,
    target,
    targetType: f.targetType ?? null,
    retcode: a ? a.retcode : null,
    success: a ? a.success : null,
    changesCount: a ? a.changesCount : null,
    stateCount: a ? a.stateCount : null,
    failedCount: a ? a.failedCount : null,
    durationMs: a ? a.durationMs : null,
    runner: f.runner ?? false,
    summary,
    searchText: searchText([summary, minionId, fun, initiator, target]),
    dedupeKey: f.dedupeKey,
    needsBackfill: f.needsBackfill ?? false,
    raw,
  };
  return { type: 'activity', row };
}
