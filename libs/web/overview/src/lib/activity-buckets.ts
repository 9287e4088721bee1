import type { ActivityEventDto } from '@sylvite/contracts';

export type ChartOutcome = 'failed' | 'changes' | 'ok';
export const CHART_OUTCOMES: readonly ChartOutcome[] = ['failed', 'changes', 'ok'];

export interface HourBucket {
  /** Start of the hour, epoch ms. */
  start: number;
  failed: number;
  changes: number;
  ok: number;
}

const HOUR = 3_600_000;

/**
 * Job returns of the last 24 hours counted per hour and outcome, oldest hour first; the last
 * bucket is the hour in progress. Would-change (test mode) runs are neither changes nor ok, so
 * they are left out rather than miscounted.
 */
export function bucketByHour(events: readonly ActivityEventDto[], now: number, hours = 24): HourBucket[] {
  const currentHour = Math.floor(now / HOUR) * HOUR;
  const first = currentHour - (hours - 1) * HOUR;
  const buckets: HourBucket[] = Array.from({ length: hours }, (_, i) => ({ start: first + i * HOUR, failed: 0, changes: 0, ok: 0 }));
  for (const event of events) {
    if (event.event_type !== 'job.ret') continue;
    const outcome = event.outcome;
    if (outcome !== 'failed' && outcome !== 'changes' && outcome !== 'ok') continue;
    const at = Date.parse(event.occurred_at);
    if (Number.isNaN(at) || at < first || at >= currentHour + HOUR) continue;
    buckets[Math.floor((at - first) / HOUR)][outcome]++;
  }
  return buckets;
}

export function bucketTotal(bucket: HourBucket): number {
  return bucket.failed + bucket.changes + bucket.ok;
}
