import { isSecretKey, redact } from './redact';

const R = '<redacted>';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('redact', () => {
  it('should replace the value of every secret key when the keys are the documented ones', () => {
    const keys = ['password', 'passwd', 'pw', 'secret', 'token', 'api_key', 'apikey', 'authorization', 'new_password', 'current_password', 'private_key'];
    const input = Object.fromEntries(keys.map((k) => [k, `value-of-${k}`]));
    expect(redact(input)).toEqual(Object.fromEntries(keys.map((k) => [k, R])));
  });

  it('should match keys case-insensitively when they are spelled in any case', () => {
    expect(redact({ PASSWORD: 'a', Token: 'b', Api_Key: 'c', AUTHORIZATION: 'd', New_Password: 'e' })).toEqual({
      PASSWORD: R, Token: R, Api_Key: R, AUTHORIZATION: R, New_Password: R,
    });
  });

  it('should redact keys that embed a secret word when they are compounds', () => {
    expect(redact({ db_password: 'a', clientSecret: 'b', 'x-api-key': 'c', refreshToken: 'd', ssh_private_key: 'e' })).toEqual({
      db_password: R, clientSecret: R, 'x-api-key': R, refreshToken: R, ssh_private_key: R,
    });
    // Erring on the safe side: a harmless compound is redacted too.
    expect(redact({ tokens_used: 3 })).toEqual({ tokens_used: R });
  });

  it('should redact at any depth when secrets sit in nested objects and arrays', () => {
    const input = { a: { b: [{ c: { password: 'x', keep: 1 } }, [{ token: 'y' }]] }, list: ['plain', { secret: { nested: 'z' } }] };
    expect(redact(input)).toEqual({ a: { b: [{ c: { password: R, keep: 1 } }, [{ token: R }]] }, list: ['plain', { secret: R }] });
  });

  it('should redact private key material by its content when the key name says nothing', () => {
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    expect(redact({ note: pem, list: [pem], public: '-----BEGIN PUBLIC KEY-----\nAAAA' })).toEqual({
      note: R, list: [R], public: '-----BEGIN PUBLIC KEY-----\nAAAA',
    });
  });

  it('should keep non-secret values and their types when nothing is secret', () => {
    const at = new Date('2024-05-01T10:00:00Z');
    expect(redact({ n: 1, b: false, s: 'x', z: null, u: undefined, at })).toEqual({
      n: 1, b: false, s: 'x', z: null, u: undefined, at: '2024-05-01T10:00:00.000Z',
    });
    expect(redact('just a string')).toBe('just a string');
    expect(redact(null)).toBeNull();
    expect(redact([1, 2])).toEqual([1, 2]);
  });

  it('should leave the original object untouched when it redacts a copy', () => {
    const original = { username: 'u', password: 'p', nested: { token: 't', list: [{ api_key: 'k' }] } };
    const snapshot = JSON.parse(JSON.stringify(original));
    const out = redact(deepFreeze(original)) as typeof original;
    expect(original).toEqual(snapshot);
    expect(out).not.toBe(original);
    expect(out.nested).not.toBe(original.nested);
    expect(out.nested.list[0]).toEqual({ api_key: R });
  });

  it('should stop at a bounded depth when the input nests absurdly deep', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 100; i++) deep = { next: deep };
    const out = JSON.stringify(redact(deep));
    expect(out).toContain(R);
    expect(out).not.toContain('leaf');
  });

  it('should tell secret keys from ordinary ones', () => {
    expect(isSecretKey('Password')).toBe(true);
    expect(isSecretKey('salt_token')).toBe(true);
    expect(isSecretKey('username')).toBe(false);
    expect(isSecretKey('minion_id')).toBe(false);
  });
});
