import { isDict } from './returns';
import { joinList, str } from './text';
import type { JobContext } from './types';

/**
 * Reads `GET /jobs/<jid>` (the whole response or its `info[0]`) into a job context for backfill.
 * `jobs.list_job` fills gaps with defaults (`User: "root"`, `Target: "unknown-target"`,
 * `Target-type: "list"`) when the job's load is missing (PROTOCOL.md §6): those are not facts, so
 * they are dropped. Null when the index knows nothing about the job.
 */
export function jobContextFromIndex(jid: string, payload: unknown): JobContext | null {
  let info: unknown = payload;
  if (isDict(payload) && Array.isArray(payload['info'])) info = payload['info'][0];
  if (!isDict(info)) return null;
  const defaulted = info['Error'] !== undefined || info['Function'] === 'unknown-function';
  const fun = joinList(info['Function']);
  const minions = Array.isArray(info['Minions'])
    ? info['Minions'].filter((m): m is string => typeof m === 'string')
    : [];
  const ctx: JobContext = {
    jid,
    fun: fun === 'unknown-function' ? null : fun,
    initiator: defaulted ? null : str(info['User']),
    target: defaulted || info['Target'] === 'unknown-target' ? null : joinList(info['Target']),
    targetType: defaulted ? null : str(info['Target-type']),
    dispatchedAt: null,
    minions,
  };
  if (!ctx.fun && !ctx.initiator && !ctx.target && minions.length === 0) return null;
  return ctx;
}
