import type { ActivityEventDto } from '@sylvite/contracts';
import type { ActivityRow } from '../activity-filter';

/** A job return as the bus carries it; override what a test is about. */
export function anEvent(over: Partial<ActivityRow> = {}): ActivityRow {
  const base: ActivityEventDto = {
    id: '1', occurred_at: '2025-11-22T02:00:00.000Z', received_at: '2025-11-22T02:00:00.010Z', category: 'job',
    event_type: 'job.ret', outcome: 'ok', minion_id: 'web01', jid: '20251122020000000001', fun: 'state.apply',
    initiator: 'sudo_alice', target: 'web*', target_type: 'glob', retcode: 0, duration_ms: 12.5,
    summary: 'state.apply on web01: OK',
  };
  return { ...base, ...over };
}
