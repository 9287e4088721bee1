import { OsProfile } from '../fleet/grains';

export type StateKind = 'pkg' | 'file' | 'service' | 'user' | 'cmd';

/** One state declaration in the simulated file_roots. */
export interface StateSpec {
  kind: StateKind;
  fun: string;
  id: string;
  name: string;
  sls: string;
  /** Id of a state whose changes trigger this one (watch / onchanges). */
  watch?: string;
  /** Id of a state this one requires. */
  require?: string;
  /** For pkg states: the packages and the version installed. */
  pkgs?: Array<[string, string]>;
}

const pkg = (id: string, sls: string, pkgs: Array<[string, string]>): StateSpec => ({
  kind: 'pkg',
  fun: 'installed',
  id,
  name: pkgs.length === 1 ? pkgs[0][0] : id,
  sls,
  pkgs,
});
const file = (path: string, sls: string, require?: string): StateSpec => ({ kind: 'file', fun: 'managed', id: path, name: path, sls, require });
const service = (id: string, name: string, sls: string, watch?: string, require?: string): StateSpec => ({
  kind: 'service',
  fun: 'running',
  id,
  name,
  sls,
  watch,
  require,
});

function common(os: OsProfile): StateSpec[] {
  const deb = os.pkg === 'apt';
  return [
    pkg('base-packages', 'common.packages', [
      ['curl', deb ? '7.88.1-10+deb12u5' : '7.76.1-26.el9'],
      ['htop', deb ? '3.2.2-2' : '3.2.1-1.el9'],
      ['jq', deb ? '1.6-2.1' : '1.6-15.el9'],
    ]),
    file('/etc/motd', 'common.motd'),
    pkg('chrony', 'common.ntp', [['chrony', deb ? '4.3-2+deb12u1' : '4.3-1.el9']]),
    service('chrony-service', deb ? 'chrony' : 'chronyd', 'common.ntp', undefined, 'chrony'),
    file('/etc/ssh/sshd_config', 'common.ssh'),
    service('sshd-service', deb ? 'ssh' : 'sshd', 'common.ssh', '/etc/ssh/sshd_config'),
    { kind: 'user', fun: 'present', id: 'deploy-user', name: 'deploy', sls: 'common.users' },
  ];
}

function role(roleName: string, os: OsProfile): StateSpec[] {
  const deb = os.pkg === 'apt';
  switch (roleName) {
    case 'web':
      return [
        pkg('nginx', 'nginx', [['nginx', deb ? '1.22.1-9' : '1.20.1-14.el9_2.1']]),
        file('/etc/nginx/nginx.conf', 'nginx.config', 'nginx'),
        file('/etc/nginx/sites-enabled/app.conf', 'nginx.config', 'nginx'),
        service('nginx-service', 'nginx', 'nginx', '/etc/nginx/sites-enabled/app.conf', 'nginx'),
      ];
    case 'app':
      return [
        { kind: 'user', fun: 'present', id: 'app-user', name: 'app', sls: 'app' },
        file('/opt/app/config.yml', 'app.config', 'app-user'),
        { kind: 'cmd', fun: 'run', id: 'app-migrate', name: '/opt/app/bin/migrate --noinput', sls: 'app.config', watch: '/opt/app/config.yml' },
        service('app-service', 'app', 'app', '/opt/app/config.yml'),
      ];
    case 'db':
      return [
        pkg('postgresql', 'postgres', [['postgresql-15', '15.6-0+deb12u1']]),
        file('/etc/postgresql/15/main/postgresql.conf', 'postgres.config', 'postgresql'),
        service('postgresql-service', 'postgresql', 'postgres', '/etc/postgresql/15/main/postgresql.conf', 'postgresql'),
        { kind: 'user', fun: 'present', id: 'postgres-user', name: 'postgres', sls: 'postgres' },
      ];
    case 'cache':
      return [
        pkg('redis', 'redis', [[deb ? 'redis-server' : 'redis', deb ? '5:7.0.15-1~deb12u1' : '6.2.7-1.el9']]),
        file('/etc/redis/redis.conf', 'redis.config', 'redis'),
        service('redis-service', deb ? 'redis-server' : 'redis', 'redis', '/etc/redis/redis.conf', 'redis'),
      ];
    case 'lb':
      return [
        pkg('haproxy', 'haproxy', [['haproxy', deb ? '2.6.12-1+deb12u1' : '2.4.22-3.el9_3']]),
        file('/etc/haproxy/haproxy.cfg', 'haproxy.config', 'haproxy'),
        service('haproxy-service', 'haproxy', 'haproxy', '/etc/haproxy/haproxy.cfg', 'haproxy'),
      ];
    case 'mon':
      return [
        pkg('node-exporter', 'monitoring', [[deb ? 'prometheus-node-exporter' : 'node_exporter', '1.5.0-1+b6']]),
        service('node-exporter-service', deb ? 'prometheus-node-exporter' : 'node_exporter', 'monitoring', undefined, 'node-exporter'),
      ];
    case 'queue':
      return [
        pkg('rabbitmq', 'rabbitmq', [['rabbitmq-server', '3.10.8-1.1']]),
        file('/etc/rabbitmq/rabbitmq.conf', 'rabbitmq.config', 'rabbitmq'),
        service('rabbitmq-service', 'rabbitmq-server', 'rabbitmq', '/etc/rabbitmq/rabbitmq.conf', 'rabbitmq'),
      ];
    default:
      return [
        pkg('docker', 'docker', [['docker-ce', '5:26.1.3-1~debian.12~bookworm']]),
        service('docker-service', 'docker', 'docker', undefined, 'docker'),
      ];
  }
}

/** The highstate of a minion: the common states, then its role's. */
export function highstateFor(roleName: string, os: OsProfile): StateSpec[] {
  return [...common(os), ...role(roleName, os)];
}

/** States selected by `state.sls`/`state.apply <mods>`: an sls and its sub-sls (`nginx` → `nginx.config`). */
export function statesForMods(roleName: string, os: OsProfile, mods: string[]): StateSpec[] {
  const all = highstateFor(roleName, os);
  return all.filter((s) => mods.some((m) => s.sls === m || s.sls.startsWith(`${m}.`)));
}

/** Settings a file diff toggles, per managed file. */
export const FILE_SETTINGS: Record<string, Array<[string, string, string]>> = {
  '/etc/motd': [['# managed by Salt — do not edit', '', '']],
  '/etc/nginx/nginx.conf': [['worker_processes', '2;', 'auto;'], ['worker_connections', '768;', '1024;']],
  '/etc/nginx/sites-enabled/app.conf': [['    listen', '80;', '8080;'], ['    client_max_body_size', '10m;', '25m;']],
  '/etc/ssh/sshd_config': [['PermitRootLogin', 'yes', 'prohibit-password'], ['MaxAuthTries', '6', '3']],
  '/opt/app/config.yml': [['workers:', '4', '8'], ['log_level:', 'info', 'warning']],
  '/etc/postgresql/15/main/postgresql.conf': [['shared_buffers =', '128MB', '2GB'], ['max_connections =', '100', '200']],
  '/etc/redis/redis.conf': [['maxmemory', '256mb', '512mb']],
  '/etc/haproxy/haproxy.cfg': [['    maxconn', '2000', '4000'], ['    timeout client', '30s', '60s']],
  '/etc/rabbitmq/rabbitmq.conf': [['vm_memory_high_watermark.relative =', '0.4', '0.6']],
};
