import { activity, ignore, type EventContext } from './row';
import { analyzeMinionReturn, analyzeRunnerReturn, type ReturnAnalysis } from './returns';
import { clip, formatDuration, joinList, plural, str } from './text';
import type { NormalizeResult } from './types';

const FIND_JOB = 'saltutil.find_job';
const TRIMMED = 'VALUE_TRIMMED';
// Real jids are `%Y%m%d%H%M%S%f`, optionally `_<pid>`; schedule returns may carry `req` / `nocache`.
const REAL_JID_RE = /^\d{14,}(?:_\d+)?$/;

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `salt/job/<jid>/new`. */
export function jobNew(c: EventContext, tagJid: string): NormalizeResult {
  const d = c.data;
  const fun = joinList(d['fun']);
  if (fun === FIND_JOB) return ignore('find_job');
  const jid = str(d['jid']) ?? tagJid;
  const initiator = str(d['user']);
  const target = joinList(d['tgt']);
  const targetType = str(d['tgt_type']);
  const minions = stringList(d['minions']);
  const missing = stringList(d['missing']);
  c.state.rememberJob({ jid, fun, initiator, target, targetType, dispatchedAt: c.occurredAt, minions });

  let reach = minions.length === 0 ? 'no minion matched' : plural(minions.length, 'minion');
  if (missing.length > 0) reach += `, ${missing.length} missing (${clip(missing.join(','), 80)})`;
  const on = target ? ` to ${clip(target, 80)}${targetType ? ` (${targetType})` : ''}` : '';
  return activity(c, {
    kind: 'job.new',
    outcome: 'dispatched',
    summary: `${initiator ?? 'unknown user'} dispatched ${fun ?? 'a job'}${on}: ${reach}`,
    dedupeKey: `${jid}||job.new`,
    jid,
    minions,
    args: Array.isArray(d['arg']) ? d['arg'] : null,
    fun,
    initiator,
    target,
    targetType,
  });
}

/** `salt/job/<jid>/ret/<minion>`. */
export function jobRet(c: EventContext, tagJid: string, tagMinion: string): NormalizeResult {
  const d = c.data;
  const fun = joinList(d['fun']);
  if (fun === FIND_JOB) return ignore('find_job');
  const minionId = str(d['id']) ?? (tagMinion || null);
  if (!minionId) return ignore('malformed');
  const jid = str(d['jid']) ?? tagJid;
  const analysis = analyzeMinionReturn(d);

  // Minion-scheduled jobs never had a job.new: the master appends tgt/tgt_type, the schedule names the source.
  const schedule = str(d['schedule']);
  let initiator = str(d['user']) ?? (schedule ? `schedule:${schedule}` : null);
  let target = joinList(d['tgt']);
  let targetType = str(d['tgt_type']);
  if (!initiator || !target) {
    const ctx = c.state.job(jid);
    if (ctx) {
      initiator ??= ctx.initiator;
      if (!target) {
        target = ctx.target;
        targetType ??= ctx.targetType;
      }
    }
  }
  c.state.markReturned(jid, minionId);

  const realJid = REAL_JID_RE.test(jid);
  const needsBackfill = (!initiator || !target) && !schedule && realJid;
  if (needsBackfill) c.state.requestBackfill(jid);
  return activity(c, {
    kind: 'job.ret',
    outcome: analysis.outcome,
    summary:
      returnSummary(fun ?? 'job', minionId, analysis, d['return']) +
      (d['return'] === TRIMMED ? ' (return trimmed by Salt; the jobs index has it)' : ''),
    // A placeholder jid is shared by unrelated runs: only the stamp tells them apart.
    dedupeKey: realJid ? `${jid}|${minionId}|job.ret` : `${jid}|${minionId}|job.ret|${c.stampText}`,
    jid,
    minionId,
    fun,
    initiator,
    target,
    targetType,
    analysis,
    needsBackfill,
  });
}

function runnerName(fun: string | null): string | null {
  if (!fun) return null;
  return fun.startsWith('runner.') ? fun.slice('runner.'.length) : fun;
}

function isOwnRunner(c: EventContext, fun: string | null, user: string | null): boolean {
  const apiUser = c.state.apiUser;
  const name = runnerName(fun);
  return apiUser !== null && user === apiUser && name !== null && c.state.ownRunnerFunctions.has(name);
}

/** `salt/run/<jid>/new`. */
export function runnerNew(c: EventContext, tagJid: string): NormalizeResult {
  const d = c.data;
  const fun = joinList(d['fun']);
  const initiator = str(d['user']);
  if (isOwnRunner(c, fun, initiator)) return ignore('own-runner');
  const jid = str(d['jid']) ?? tagJid;
  c.state.rememberJob({ jid, fun, initiator, target: null, targetType: null, dispatchedAt: c.occurredAt, minions: [] });
  return activity(c, {
    kind: 'job.new',
    outcome: 'dispatched',
    summary: `${initiator ?? 'unknown user'} started runner ${runnerName(fun) ?? 'job'}`,
    dedupeKey: `${jid}||job.new`,
    jid,
    fun,
    initiator,
    runner: true,
  });
}

/** `salt/run/<jid>/ret`: outcome from `success` and `return.retcode`. */
export function runnerRet(c: EventContext, tagJid: string): NormalizeResult {
  const d = c.data;
  const fun = joinList(d['fun']);
  const user = str(d['user']);
  if (isOwnRunner(c, fun, user)) return ignore('own-runner');
  const jid = str(d['jid']) ?? tagJid;
  const initiator = user ?? c.state.job(jid)?.initiator ?? null;
  const analysis = analyzeRunnerReturn(d);
  return activity(c, {
    kind: 'job.ret',
    outcome: analysis.outcome,
    summary: returnSummary(`runner ${runnerName(fun) ?? 'job'}`, 'master', analysis, d['return']),
    dedupeKey: `${jid}||job.ret`,
    jid,
    fun,
    initiator,
    analysis,
    runner: true,
  });
}

/** The first line of a failed function's message (`'nginx.reload' is not available.`). */
function failureMessage(ret: unknown): string | null {
  let text: unknown = ret;
  // Compile and pillar errors are lists of strings that read as one message.
  if (Array.isArray(ret)) text = ret.filter((v) => typeof v === 'string').join(' ');
  if (typeof text !== 'string' || text === '' || text === TRIMMED) return null;
  const line = text.slice(0, 400).split('\n', 1)[0].trim();
  return line === '' ? null : clip(line, 160);
}

export function returnSummary(what: string, where: string, a: ReturnAnalysis, ret: unknown): string {
  const details: string[] = [];
  if (a.outcome === 'failed' && a.retcode !== null) details.push(`retcode ${a.retcode}`);
  if (a.stateCount !== null) {
    const states = a.stateCount;
    if (a.outcome === 'failed') details.push(`${a.failedCount} of ${plural(states, 'state')} failed`);
    else if (a.outcome === 'changes') details.push(`${a.changesCount} of ${plural(states, 'state')} changed`);
    else if (a.outcome === 'would_change') details.push(`test mode, ${a.changesCount} of ${plural(states, 'state')}`);
    else details.push(`${plural(states, 'state')}, no changes`);
  }
  if (a.durationMs !== null) details.push(formatDuration(a.durationMs));
  const verb = {
    failed: 'failed on',
    changes: 'changed',
    would_change: 'would change',
    ok: 'succeeded on',
  }[a.outcome];
  let line = `${what} ${verb} ${where}`;
  if (details.length > 0) line += ` (${details.join(', ')})`;
  if (a.outcome === 'failed' && a.stateCount === null) {
    const message = failureMessage(ret);
    if (message) line += `: ${message}`;
  }
  return line;
}
