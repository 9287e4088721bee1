import { anEvent } from '../testing/factories';
import { activityFrame, namedFrame } from './frames';
import { announcedMaxId } from './activity-notify.listener';

describe('activityFrame', () => {
  it('should carry the row id, the event name and only the contract fields when a row has extra ones', () => {
    const frame = activityFrame(anEvent({ id: '42', minions: ['web01'] }));
    const [id, event, data, blank] = frame.split('\n');
    expect(id).toBe('id: 42');
    expect(event).toBe('event: activity');
    expect(blank).toBe('');
    expect(frame.endsWith('\n\n')).toBe(true);
    const body = JSON.parse(data.slice('data: '.length));
    expect(body.id).toBe('42');
    expect(body).not.toHaveProperty('minions');
    expect(Object.keys(body)).toHaveLength(15);
  });

  it('should return the same string when the same row is framed twice', () => {
    const row = anEvent();
    expect(activityFrame(row)).toBe(activityFrame(row));
  });
});

describe('namedFrame', () => {
  it('should have no id line when it is a status message', () => {
    expect(namedFrame('status', { state: 'connected' })).toBe('event: status\ndata: {"state":"connected"}\n\n');
  });
});

describe('announcedMaxId', () => {
  it.each([
    ['{"max_id":"1234","count":3,"categories":["job"]}', '1234'],
    ['{"max_id":77}', '77'],
    ['{"max_id":"007"}', '7'],
    ['{"max_id":"x"}', null],
    ['not json', null],
    [undefined, null],
  ])('should read %j as %j', (payload, expected) => {
    expect(announcedMaxId(payload)).toBe(expected);
  });
});
