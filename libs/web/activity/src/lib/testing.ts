import type { ActivityEventDto, ActivityPage } from '@sylvite/contracts';

/** Test data: a job return from web01 unless told otherwise. Specs only. */
export function anEvent(overrides: Partial<ActivityEventDto> = {}): ActivityEventDto {
  return {
    id: '1',
    occurred_at: '2026-05-12T12:00:00.000Z',
    received_at: '2026-05-12T12:00:00.010Z',
    category: 'job',
    event_type: 'job.ret',
    outcome: 'changes',
    minion_id: 'web01',
    jid: '20260512120000000001',
    fun: 'state.apply',
    initiator: 'alice',
    target: 'web*',
    target_type: 'glob',
    retcode: 0,
    duration_ms: 1200,
    summary: 'web01 returned state.apply with changes',
    ...overrides,
  };
}

export function aPage(events: ActivityEventDto[], overrides: Partial<ActivityPage> = {}): ActivityPage {
  return {
    total: events.length,
    total_is_estimate: false,
    events,
    next_before_cursor: null,
    newest_cursor: events[0] ? `${events[0].occurred_at}|${events[0].id}` : null,
    ...overrides,
  };
}
