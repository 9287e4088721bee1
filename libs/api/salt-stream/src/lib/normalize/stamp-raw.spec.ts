import { boundRaw, utf8Prefix } from './raw';
import { parseSaltStamp } from './stamp';

describe('parseSaltStamp', () => {
  it.each([
    ['2024-05-14T10:15:00.309121', '2024-05-14T10:15:00.309Z'],
    ['2024-05-14T10:15:00', '2024-05-14T10:15:00.000Z'], // isoformat() drops .000000
    ['2014-01-12_01:01:49.809617', '2014-01-12T01:01:49.809Z'], // pre-March-2014 separator
    ['2024-05-14T10:15:00.5', '2024-05-14T10:15:00.500Z'],
    ['2024-05-14T10:15:00.309121Z', '2024-05-14T10:15:00.309Z'],
    ['2024-05-14T12:15:00.309121+02:00', '2024-05-14T10:15:00.309Z'],
  ])('should read %s as UTC %s', (stamp, iso) => {
    expect(parseSaltStamp(stamp)?.toISOString()).toBe(iso);
  });

  it.each([undefined, null, 12, '', 'yesterday', '2024-02-31T00:00:00', '2024-05-14T25:00:00', '2024-05-14'])(
    'should give null when the stamp is %j',
    (stamp) => {
      expect(parseSaltStamp(stamp)).toBeNull();
    },
  );
});

describe('boundRaw', () => {
  const event = { tag: 'salt/job/1/ret/web01', data: { return: 'x' } };

  it('should store the received text untouched when it fits', () => {
    const text = '{"data": {"return": "x"}, "tag": "salt/job/1/ret/web01"}';
    expect(boundRaw(event, text, 1024)).toEqual({ text, size: text.length, truncated: false, valueTrimmed: false });
  });

  it('should serialize once when no text was received', () => {
    const raw = boundRaw(event, undefined, 1024);
    expect(JSON.parse(raw.text)).toEqual(event);
  });

  it('should not re-serialize the payload when the received text is given', () => {
    const spy = jest.spyOn(JSON, 'stringify');
    try {
      boundRaw({ tag: 't', data: { big: 'y'.repeat(1_000_000) } }, `{"tag":"t","data":{"big":"${'y'.repeat(1_000_000)}"}}`);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('should truncate to the cap and keep the real byte size when the event is oversized', () => {
    const text = JSON.stringify({ tag: 't', data: { log: 'é'.repeat(100_000) } });
    const raw = boundRaw({ tag: 't', data: null }, text, 64 * 1024);
    expect(raw.truncated).toBe(true);
    expect(raw.size).toBe(Buffer.byteLength(text, 'utf8'));
    expect(Buffer.byteLength(raw.text, 'utf8')).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(raw.text, 'utf8')).toBeGreaterThan(64 * 1024 - 4);
    expect(text.startsWith(raw.text)).toBe(true);
  });

  it('should recognize the VALUE_TRIMMED sentinel when Salt trimmed a value', () => {
    const text = '{"data": {"return": "VALUE_TRIMMED", "retcode": 0}, "tag": "salt/job/1/ret/w"}';
    expect(boundRaw(event, text).valueTrimmed).toBe(true);
    expect(boundRaw(event, '{"data": {"return": "a VALUE_TRIMMED note"}}').valueTrimmed).toBe(false);
  });
});

describe('utf8Prefix', () => {
  it.each([
    ['abc', 2, 'ab'],
    ['aé', 2, 'a'], // é is 2 bytes
    ['aé', 3, 'aé'],
    ['a🚧b', 4, 'a'], // 🚧 is 4 bytes and a surrogate pair
    ['a🚧b', 5, 'a🚧'],
    ['日本', 5, '日'],
  ])('should cut %j to %d bytes as %j without splitting a character', (text, max, expected) => {
    expect(utf8Prefix(text, max)).toBe(expected);
  });
});
