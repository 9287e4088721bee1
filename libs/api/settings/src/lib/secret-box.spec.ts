import { SecretBox } from './secret-box';

const SECRET = 'a'.repeat(40);

describe('SecretBox', () => {
  it('should open what it sealed when the secret is the same', () => {
    const box = new SecretBox(SECRET);
    const sealed = box.seal('pässword');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('pässword');
    expect(box.open(sealed)).toBe('pässword');
  });

  it('should seal the same text differently each time', () => {
    const box = new SecretBox(SECRET);
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('should refuse a value sealed under another secret', () => {
    const sealed = new SecretBox('b'.repeat(40)).seal('pw');
    expect(new SecretBox(SECRET).open(sealed)).toBeNull();
  });

  it('should open a value sealed under a previous secret when it is listed', () => {
    const old = 'c'.repeat(40);
    const sealed = new SecretBox(old).seal('pw');
    expect(new SecretBox(SECRET, [old]).open(sealed)).toBe('pw');
  });

  it('should refuse a tampered value', () => {
    const box = new SecretBox(SECRET);
    const sealed = box.seal('pw');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(box.open(tampered)).toBeNull();
    expect(box.open('garbage')).toBeNull();
  });
});
