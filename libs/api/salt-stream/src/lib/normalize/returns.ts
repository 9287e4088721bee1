/**
 * Reading a job return (PROTOCOL.md §4.3): retcodes, success flags, state results, durations,
 * and the outcome they add up to (DESIGN.md §2).
 */

export type ReturnOutcome = 'failed' | 'changes' | 'would_change' | 'ok';

export interface ReturnAnalysis {
  outcome: ReturnOutcome;
  /** The retcode, or for a retcode object / list the worst of its values; null when absent. */
  retcode: number | null;
  /** `success`, or for a per-function object whether all are true; null when absent. */
  success: boolean | null;
  /** null for non-state functions (no state entries in the return). */
  stateCount: number | null;
  changesCount: number | null;
  failedCount: number | null;
  durationMs: number | null;
}

type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A number as is; for an object (multi-function jobs, keyed by function) or a list
 * (`multifunc_ordered`), the worst value: any non-zero beats zero, the largest magnitude wins.
 */
export function worstRetcode(retcode: unknown): number | null {
  if (typeof retcode === 'number') return Number.isFinite(retcode) ? retcode : null;
  if (typeof retcode === 'boolean') return retcode ? 1 : 0;
  let values: unknown[];
  if (Array.isArray(retcode)) values = retcode;
  else if (isDict(retcode)) values = Object.values(retcode);
  else return null;
  let worst: number | null = null;
  for (const v of values) {
    const n = worstRetcode(v);
    if (n === null) continue;
    if (worst === null || Math.abs(n) > Math.abs(worst)) worst = n;
  }
  return worst;
}

export function successOf(success: unknown): boolean | null {
  if (typeof success === 'boolean') return success;
  let values: unknown[];
  if (Array.isArray(success)) values = success;
  else if (isDict(success)) values = Object.values(success);
  else return null;
  let seen = false;
  for (const v of values) {
    const b = successOf(v);
    if (b === false) return false;
    if (b === true) seen = true;
  }
  return seen ? true : null;
}

/** `123.4`, `"123.4 ms"` (after the highstate outputter rewrote it) or `"123.4"`; null otherwise. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:ms)?\s*$/.exec(value);
  return m ? Number(m[1]) : null;
}

/**
 * The state entries of a state return (`"<mod>_|-<id>_|-<name>_|-<fun>": {result, changes, …}`),
 * or null when the return is not one. Keys without `_|-` (fire_ret_load's additions) are skipped.
 */
export function stateEntries(ret: unknown): Dict[] | null {
  if (!isDict(ret)) return null;
  let entries: Dict[] | null = null;
  for (const key in ret) {
    if (!key.includes('_|-')) continue;
    const entry = ret[key];
    if (!isDict(entry)) continue;
    (entries ??= []).push(entry);
  }
  return entries;
}

function nonEmpty(changes: unknown): boolean {
  if (changes === null || changes === undefined || changes === false || changes === '') return false;
  if (Array.isArray(changes)) return changes.length > 0;
  if (isDict(changes)) {
    for (const k in changes) if (Object.prototype.hasOwnProperty.call(changes, k)) return true;
    return false;
  }
  return true;
}

interface StateTally {
  stateCount: number;
  failedCount: number;
  changesCount: number;
  realChanges: number;
  wouldChange: number;
  durationMs: number | null;
}

/**
 * Counts over top-level entries only: an orchestration's nested `changes.ret` is already timed by
 * its parent entry.
 */
export function tallyStates(entries: readonly Dict[]): StateTally {
  let failedCount = 0;
  let changesCount = 0;
  let realChanges = 0;
  let wouldChange = 0;
  let duration = 0;
  let timed = false;
  for (const e of entries) {
    const result = e['result'];
    if (result === false) failedCount++;
    if (nonEmpty(e['changes'])) {
      changesCount++;
      if (result === null) wouldChange++;
      else if (result !== false) realChanges++;
    }
    const d = parseDuration(e['duration']);
    if (d !== null) {
      duration += d;
      timed = true;
    }
  }
  return {
    stateCount: entries.length,
    failedCount,
    changesCount,
    realChanges,
    wouldChange,
    // Summing floats drifts (8481.368000000001); microseconds are all Salt measures.
    durationMs: timed ? Math.round(duration * 1000) / 1000 : null,
  };
}

function analyze(retcodeRaw: unknown, successRaw: unknown, entries: Dict[] | null): ReturnAnalysis {
  const retcode = worstRetcode(retcodeRaw);
  const success = successOf(successRaw);
  const tally = entries ? tallyStates(entries) : null;
  // Classify on retcode: schedule returns say success: true whatever happened.
  const failed =
    (retcode !== null && retcode !== 0) ||
    (retcode === null && success === false) ||
    (tally !== null && tally.failedCount > 0);
  let outcome: ReturnOutcome = 'ok';
  if (failed) outcome = 'failed';
  else if (tally && tally.realChanges > 0) outcome = 'changes';
  else if (tally && tally.wouldChange > 0) outcome = 'would_change';
  return {
    outcome,
    retcode,
    success,
    stateCount: tally ? tally.stateCount : null,
    changesCount: tally ? tally.changesCount : null,
    failedCount: tally ? tally.failedCount : null,
    durationMs: tally ? tally.durationMs : null,
  };
}

/** A minion's `salt/job/<jid>/ret/<minion>` load. */
export function analyzeMinionReturn(data: Dict): ReturnAnalysis {
  const ret = data['return'];
  let entries = stateEntries(ret);
  const fun = data['fun'];
  if (!entries && Array.isArray(fun) && isDict(ret)) {
    // Multi-function job: the return is keyed by function; a state function among them has entries.
    for (const f of fun) {
      if (typeof f !== 'string') continue;
      const sub = stateEntries(ret[f]);
      if (sub) entries = entries ? entries.concat(sub) : sub;
    }
  }
  return analyze(data['retcode'], data['success'], entries);
}

/**
 * A runner's `salt/run/<jid>/ret`: no top-level retcode; orchestration puts it in `return.retcode`
 * and its states under `return.data.<master_id>`.
 */
export function analyzeRunnerReturn(data: Dict): ReturnAnalysis {
  const ret = data['return'];
  let retcode: unknown = null;
  let entries: Dict[] | null = null;
  if (isDict(ret)) {
    retcode = ret['retcode'] ?? null;
    const inner = ret['data'];
    entries = stateEntries(inner);
    if (!entries && isDict(inner)) {
      for (const key in inner) {
        const sub = stateEntries(inner[key]);
        if (sub) entries = entries ? entries.concat(sub) : sub;
      }
    }
  }
  return analyze(retcode, data['success'], entries);
}
