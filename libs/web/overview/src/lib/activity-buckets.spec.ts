import type { ActivityEventDto } from '@sylvite/contracts';
import { bucketByHour } from './activity-buckets';

const NOW = Date.parse('2026-05-12T12:30:00Z');

function aReturn(occurred_at: string, outcome: ActivityEventDto['outcome'], event_type: ActivityEventDto['event_type'] = 'job.ret') {
  return { occurred_at, outcome, event_type } as ActivityEventDto;
}

describe('bucketByHour', () => {
  it('should count job returns per hour and outcome when they fall in the last 24 hours', () => {
    const buckets = bucketByHour(
      [
        aReturn('2026-05-12T12:10:00Z', 'failed'),
        aReturn('2026-05-12T12:20:00Z', 'ok'),
        aReturn('2026-05-12T11:59:59Z', 'changes'),
        aReturn('2026-05-11T13:00:00Z', 'ok'),
        aReturn('2026-05-11T12:59:59Z', 'ok'),
        aReturn('2026-05-12T12:15:00Z', 'would_change'),
        aReturn('2026-05-12T12:15:00Z', 'dispatched', 'job.new'),
      ],
      NOW,
    );

    expect(buckets).toHaveLength(24);
    expect(buckets[23]).toEqual({ start: Date.parse('2026-05-12T12:00:00Z'), failed: 1, changes: 0, ok: 1 });
    expect(buckets[22]).toMatchObject({ changes: 1 });
    expect(buckets[0]).toEqual({ start: Date.parse('2026-05-11T13:00:00Z'), failed: 0, changes: 0, ok: 1 });
    expect(buckets.reduce((n, b) => n + b.failed + b.changes + b.ok, 0)).toBe(4);
  });
});
