import { auditFilterFromQuery, exportUrl, fromLocalInput, toLocalInput } from './audit-filter';

describe('audit filters', () => {
  it('should keep valid values and drop malformed ones when read from the URL', () => {
    expect(
      auditFilterFromQuery({
        user_id: 'not-a-uuid',
        action_prefix: ' key. ',
        decision: 'maybe',
        resource: 'minion:web*',
        since: '2026-05-12T00:00:00.000Z',
        until: 'yesterday',
      }),
    ).toEqual({
      user_id: null,
      action_prefix: 'key.',
      decision: null,
      resource: 'minion:web*',
      since: '2026-05-12T00:00:00.000Z',
      until: null,
    });
  });

  it('should link the export to the same filters when a format is chosen', () => {
    const url = exportUrl(
      auditFilterFromQuery({ decision: 'deny', action_prefix: 'salt.', user_id: '00000000-0000-4000-8000-000000000001' }),
      'ndjson',
    );
    expect(url).toBe('/api/audit/export?format=ndjson&user_id=00000000-0000-4000-8000-000000000001&action_prefix=salt.&decision=deny');
  });

  it('should round-trip a minute through the local datetime input when converted both ways', () => {
    const iso = fromLocalInput('2026-05-12T14:05');
    expect(iso).not.toBeNull();
    expect(toLocalInput(iso)).toBe('2026-05-12T14:05');
    expect(fromLocalInput('')).toBeNull();
  });
});
