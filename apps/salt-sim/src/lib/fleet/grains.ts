import { Rng } from '../util/rng';

export interface OsProfile {
  os: string;
  os_family: string;
  osfullname: string;
  osrelease: string;
  osmajorrelease: number;
  oscodename: string;
  osarch: string;
  kernelrelease: string;
  pkg: 'apt' | 'dnf';
}

const OSES: ReadonlyArray<readonly [OsProfile, number]> = [
  [
    { os: 'Debian', os_family: 'Debian', osfullname: 'Debian', osrelease: '12', osmajorrelease: 12, oscodename: 'bookworm', osarch: 'amd64', kernelrelease: '6.1.0-18-amd64', pkg: 'apt' },
    5,
  ],
  [
    { os: 'Ubuntu', os_family: 'Debian', osfullname: 'Ubuntu', osrelease: '22.04', osmajorrelease: 22, oscodename: 'jammy', osarch: 'amd64', kernelrelease: '5.15.0-105-generic', pkg: 'apt' },
    3,
  ],
  [
    { os: 'Rocky', os_family: 'RedHat', osfullname: 'Rocky Linux', osrelease: '9.3', osmajorrelease: 9, oscodename: 'Blue Onyx', osarch: 'x86_64', kernelrelease: '5.14.0-362.24.1.el9_3.x86_64', pkg: 'dnf' },
    2,
  ],
];

const SUBNET: Record<string, number> = { lb: 0, web: 1, app: 2, db: 3, cache: 4, queue: 5, build: 6, mon: 9 };

const CPUS = ['Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz', 'AMD EPYC 7543 32-Core Processor', 'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz'];

export function pickOs(rng: Rng, role: string): OsProfile {
  // Databases on this fleet run Debian: keeps `G@os:Debian and db*` style targets meaningful.
  if (role === 'db') return OSES[0][0];
  return rng.weighted(OSES);
}

function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The grains a 3006 minion reports (a believable subset), keys sorted as `grains.items` shows them. */
export function makeGrains(id: string, role: string, index: number, os: OsProfile, rng: Rng): Record<string, unknown> {
  const host = id.split('.')[0];
  const domain = id.includes('.') ? id.slice(id.indexOf('.') + 1) : '';
  const ip = `10.0.${SUBNET[role] ?? 7}.${10 + (index % 240)}`;
  const cpus = role === 'db' ? 8 : rng.pick([2, 4, 4, 8]);
  const mem = { 2: 3933, 4: 7940, 8: 15989 }[cpus as 2 | 4 | 8] ?? 7940;
  const grains: Record<string, unknown> = {
    cpu_model: rng.pick(CPUS),
    cpuarch: 'x86_64',
    domain,
    env: rng.chance(0.8) ? 'prod' : 'staging',
    fqdn: id,
    fqdn_ip4: [ip],
    host,
    id,
    init: 'systemd',
    ip4_interfaces: { eth0: [ip], lo: ['127.0.0.1'] },
    ipv4: [ip, '127.0.0.1'].sort(),
    kernel: 'Linux',
    kernelrelease: os.kernelrelease,
    localhost: host,
    machine_id: rng.hex(32),
    master: 'salt',
    mem_total: mem,
    nodename: host,
    num_cpus: cpus,
    os: os.os,
    os_family: os.os_family,
    osarch: os.osarch,
    oscodename: os.oscodename,
    osfinger: `${os.osfullname}-${os.osmajorrelease}`,
    osfullname: os.osfullname,
    osmajorrelease: os.osmajorrelease,
    osrelease: os.osrelease,
    osrelease_info: os.osrelease.split('.').map(Number),
    pythonversion: [3, 10, 14, 'final', 0],
    roles: [role],
    saltversion: '3006.9',
    saltversioninfo: [3006, 9],
    server_id: rng.int(100000000, 2147483647),
    shell: '/bin/sh',
    uuid: uuid(rng),
    virtual: 'kvm',
    zmqversion: '4.3.4',
  };
  return grains;
}
