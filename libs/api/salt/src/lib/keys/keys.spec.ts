import { keyMoved, keyStatesOf, validKeyId, wheelCall } from './keys.service';

const KEYS = { local: [], minions: ['web01', 'db01'], minions_pre: ['new01'], minions_rejected: ['bad01'], minions_denied: ['web01'] };

describe('key actions', () => {
  it('should list every state an id holds a key in when a denied key sits beside an accepted one', () => {
    expect(keyStatesOf(KEYS, 'web01')).toEqual(['accepted', 'denied']);
    expect(keyStatesOf(KEYS, 'new01')).toEqual(['pending']);
    expect(keyStatesOf(KEYS, 'ghost')).toEqual([]);
  });

  it('should accept pending keys plainly and rejected or denied ones with their include flag', () => {
    expect(wheelCall('accept', ['pending'])).toEqual({ fun: 'key.accept', flags: { include_rejected: false, include_denied: false } });
    expect(wheelCall('accept', ['rejected'])).toEqual({ fun: 'key.accept', flags: { include_rejected: true, include_denied: false } });
    expect(wheelCall('accept', ['accepted', 'denied'])).toEqual({ fun: 'key.accept', flags: { include_rejected: false, include_denied: true } });
    expect(wheelCall('accept', ['accepted'])).toBeNull();
  });

  it('should reject pending keys plainly and accepted or denied ones with their include flag', () => {
    expect(wheelCall('reject', ['pending'])).toEqual({ fun: 'key.reject', flags: { include_accepted: false, include_denied: false } });
    expect(wheelCall('reject', ['accepted'])).toEqual({ fun: 'key.reject', flags: { include_accepted: true, include_denied: false } });
    expect(wheelCall('reject', ['denied'])).toEqual({ fun: 'key.reject', flags: { include_accepted: false, include_denied: true } });
    expect(wheelCall('reject', ['rejected'])).toBeNull();
  });

  it('should delete a key in any state and nothing when there is none', () => {
    expect(wheelCall('delete', ['rejected'])).toEqual({ fun: 'key.delete', flags: {} });
    expect(wheelCall('delete', [])).toBeNull();
  });

  it('should tell whether the key ended where the action puts it', () => {
    expect(keyMoved('accept', ['accepted'])).toBe(true);
    expect(keyMoved('accept', ['accepted', 'denied'])).toBe(false);
    expect(keyMoved('reject', ['rejected'])).toBe(true);
    expect(keyMoved('delete', [])).toBe(true);
    expect(keyMoved('delete', ['pending'])).toBe(false);
  });

  it('should refuse ids that the wheel would read as a pattern or a path', () => {
    for (const ok of ['web01.example.com', 'db-01_a', 'host@site']) expect(validKeyId(ok)).toBe(true);
    for (const bad of ['*', 'web*', 'web?1', 'web[12]', 'a,b', 'a b', '../etc', 'a/b', '.hidden', '', 'x'.repeat(256)]) expect(validKeyId(bad)).toBe(false);
  });
});
