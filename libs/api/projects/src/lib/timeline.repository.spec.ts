import { splitResource, toTimelineItem } from './timeline.repository';

describe('splitResource', () => {
  it('should split type and id when the resource is prefixed', () => {
    expect(splitResource('minion:web01')).toEqual({ target_type: 'minion', target_id: 'web01' });
    expect(splitResource('settings:salt')).toEqual({ target_type: 'settings', target_id: 'salt' });
    expect(splitResource('user:a:b')).toEqual({ target_type: 'user', target_id: 'a:b' });
  });

  it('should give no target when the resource is a bare wildcard', () => {
    expect(splitResource('*')).toEqual({ target_type: null, target_id: null });
  });
});

describe('toTimelineItem', () => {
  const row = {
    id: '12', occurred_at: '2026-05-12T12:00:00.000000+00:00', project_id: null, project_slug: null, user_id: null,
    username: null, action: 'auth.login', resource: 'user:alice', args_json: null, decision: 'deny' as const,
    result_code: 401, salt_jid: null, source_ip: '10.0.0.1', user_agent: 'ua',
  };

  it('should map result from the status and outcome from the decision', () => {
    expect(toTimelineItem(row)).toMatchObject({ result: 'failure', outcome: 'deny', metadata: {}, target_type: 'user', target_id: 'alice' });
    expect(toTimelineItem({ ...row, result_code: 201, decision: 'allow' })).toMatchObject({ result: 'success', outcome: 'allow' });
    expect(toTimelineItem({ ...row, result_code: null }).result).toBeNull();
  });

  it('should carry exactly the contract fields when mapped', () => {
    expect(Object.keys(toTimelineItem(row)).sort()).toEqual(
      ['id', 'project_id', 'project_slug', 'user_id', 'action', 'target_type', 'target_id', 'result', 'outcome', 'metadata', 'source_ip', 'occurred_at'].sort(),
    );
  });
});
