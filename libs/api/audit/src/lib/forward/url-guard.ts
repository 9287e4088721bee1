import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook must not reach unless the operator allows it (SYLVITE_FORWARD_ALLOW_PRIVATE). */
const BLOCKED = new BlockList();
BLOCKED.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local (cloud metadata lives here)
BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network"
BLOCKED.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
BLOCKED.addAddress('255.255.255.255', 'ipv4');
BLOCKED.addAddress('::1', 'ipv6');
BLOCKED.addAddress('::', 'ipv6');
BLOCKED.addSubnet('fe80::', 10, 'ipv6'); // link-local
BLOCKED.addSubnet('ff00::', 8, 'ipv6'); // multicast

export class DestinationUrlError extends Error {}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return BLOCKED.check(address, 'ipv4');
}

/**
 * A destination URL: http(s), no credentials in it, and — unless private targets are allowed —
 * a host that resolves to no loopback, link-local, unspecified or multicast address. Checked when
 * saved and again before each delivery, since DNS answers change.
 */
export async function checkDestinationUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationUrlError('url: must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DestinationUrlError('url: must be an http or https URL');
  if (url.username || url.password) throw new DestinationUrlError('url: must not carry credentials (the signature authenticates Sylvite)');
  if (url.hash) throw new DestinationUrlError('url: must not have a #fragment');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (/^localhost$/i.test(host) || /\.localhost$/i.test(host)) throw new DestinationUrlError('url: loopback hosts are not allowed');
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new DestinationUrlError(`url: host ${host} does not resolve`);
    }
  }
  const bad = addresses.find(isBlockedAddress);
  if (bad) throw new DestinationUrlError(`url: ${host} resolves to ${bad}, a loopback or link-local address (set SYLVITE_FORWARD_ALLOW_PRIVATE=true to allow)`);
  return url;
}
