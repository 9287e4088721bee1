import { createHmac } from 'node:crypto';
import { signDelivery } from './forwarder.service';
import { ForwardSecretSeal } from './secret-seal';
import { checkDestinationUrl, isBlockedAddress } from './url-guard';

describe('destination URLs', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '169.254.169.254', 'fe80::1', '0.0.0.0', '::', '::ffff:127.0.0.1', '224.0.0.1'])(
    'should block %s', (ip) => expect(isBlockedAddress(ip)).toBe(true),
  );

  it.each(['10.0.0.5', '192.168.1.2', '203.0.113.9', '2001:db8::1'])('should allow %s', (ip) => expect(isBlockedAddress(ip)).toBe(false));

  it('should refuse loopback and link-local targets unless private targets are allowed', async () => {
    await expect(checkDestinationUrl('http://127.0.0.1:8080/hook', false)).rejects.toThrow(/loopback or link-local/);
    await expect(checkDestinationUrl('http://[fe80::1]/hook', false)).rejects.toThrow(/loopback or link-local/);
    await expect(checkDestinationUrl('http://localhost/hook', false)).rejects.toThrow(/loopback/);
    await expect(checkDestinationUrl('http://169.254.169.254/latest', false)).rejects.toThrow(/link-local/);
    await expect(checkDestinationUrl('http://127.0.0.1:8080/hook', true)).resolves.toBeInstanceOf(URL);
    await expect(checkDestinationUrl('https://203.0.113.9/hook', false)).resolves.toBeInstanceOf(URL);
  });

  it('should refuse other schemes, credentials and fragments whatever the setting', async () => {
    await expect(checkDestinationUrl('file:///etc/passwd', true)).rejects.toThrow(/http/);
    await expect(checkDestinationUrl('https://a:b@203.0.113.9/', true)).rejects.toThrow(/credentials/);
    await expect(checkDestinationUrl('https://203.0.113.9/#x', true)).rejects.toThrow(/fragment/);
    await expect(checkDestinationUrl('nope', true)).rejects.toThrow(/absolute/);
  });
});

describe('delivery signatures and secrets', () => {
  it('should sign `${timestamp}.${body}` with HMAC-SHA256 of the shared secret', () => {
    const expected = createHmac('sha256', 'shh').update('1700000000.{"id":"1"}').digest('hex');
    expect(signDelivery('shh', '1700000000', '{"id":"1"}')).toBe(`sha256=${expected}`);
  });

  it('should open what it sealed, also after a rotation, and nothing sealed under an unknown secret', () => {
    const old = new ForwardSecretSeal('o'.repeat(40));
    const sealed = old.seal('receiver secret');
    expect(sealed).not.toContain('receiver secret');
    expect(new ForwardSecretSeal('n'.repeat(40), ['o'.repeat(40)]).open(sealed)).toBe('receiver secret');
    expect(new ForwardSecretSeal('n'.repeat(40)).open(sealed)).toBeNull();
    expect(old.open('v1:garbage')).toBeNull();
  });
});
