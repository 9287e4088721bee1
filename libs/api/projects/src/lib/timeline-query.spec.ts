import { BadRequestException } from '@nestjs/common';
import { parseProjectAuditQuery, parseTimelineQuery } from './timeline-query';

function error(fn: () => unknown): { message: string; detail: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof BadRequestException) return err.getResponse() as { message: string; detail: string };
    throw err;
  }
  throw new Error('expected a 400');
}

describe('parseTimelineQuery', () => {
  it('should default the limit to 50 when none is given', () => {
    expect(parseTimelineQuery({})).toEqual({ limit: 50, since: undefined, before: undefined, projectSlug: undefined, actionPrefix: undefined });
  });

  it('should accept the bounds when limit is 1 or 200', () => {
    expect(parseTimelineQuery({ limit: '1' }).limit).toBe(1);
    expect(parseTimelineQuery({ limit: '200' }).limit).toBe(200);
  });

  it.each(['0', '201', '-1', '1.5', 'abc', '', '1e2'])('should refuse limit %p with a 400 naming it', (limit) => {
    expect(error(() => parseTimelineQuery({ limit })).message).toMatch(/^limit: /);
  });

  it('should decode both cursors when they are well formed', () => {
    const q = parseTimelineQuery({ since_cursor: '2026-05-12T12:00:00.000000+00:00|42', before_cursor: '2026-05-12T11:00:00Z|7' });
    expect(q.since).toEqual({ at: '2026-05-12T12:00:00.000000+00:00', id: '42' });
    expect(q.before).toEqual({ at: '2026-05-12T11:00:00Z', id: '7' });
  });

  it.each(['nope', '2026-05-12T12:00:00Z', '2026-05-12T12:00:00Z|', '|42', '2026-13-45T99:00:00Z|1', '2026-05-12T12:00:00Z|abc'])(
    'should answer "malformed cursor" when the cursor is %p',
    (c) => {
      const e = error(() => parseTimelineQuery({ since_cursor: c }));
      expect(e.detail).toBe('malformed cursor');
      expect(e.message).toContain('malformed cursor');
      expect(error(() => parseTimelineQuery({ before_cursor: c })).detail).toBe('malformed cursor');
    },
  );

  it('should refuse a repeated or unknown parameter', () => {
    expect(error(() => parseTimelineQuery({ limit: ['1', '2'] })).message).toMatch(/^limit: /);
    expect(error(() => parseTimelineQuery({ category: 'job' })).message).toContain('category');
  });

  it('should keep the action prefix verbatim, wildcard characters included', () => {
    expect(parseTimelineQuery({ action_prefix: 'a%b_' }).actionPrefix).toBe('a%b_');
    expect(parseTimelineQuery({ action_prefix: '' }).actionPrefix).toBeUndefined();
  });
});

describe('parseProjectAuditQuery', () => {
  it('should accept every filter when each is well formed', () => {
    const q = parseProjectAuditQuery({
      outcome: 'deny', user_id: '0e6c1f3a-12ab-4cde-9876-543210fedcba', since: '2026-01-01T00:00:00Z', until: '2026-02-01T00:00:00Z', limit: '10',
    });
    expect(q).toMatchObject({ outcome: 'deny', userId: '0e6c1f3a-12ab-4cde-9876-543210fedcba', sinceAt: '2026-01-01T00:00:00Z', limit: 10 });
  });

  it.each([
    [{ outcome: 'maybe' }, /^outcome: /],
    [{ user_id: 'alice' }, /^user_id: /],
    [{ since: 'yesterday' }, /^since: /],
    [{ until: '2026-02-30T00:00:00Z' }, /^until: /],
  ])('should refuse %p with a 400 naming the parameter', (raw, re) => {
    expect(error(() => parseProjectAuditQuery(raw)).message).toMatch(re);
  });
});
