import { Logger } from './util/logger';

/** Everything that shapes a simulator instance. The CLI flags map one to one (see README). */
export interface SimOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Same seed → same fleet, grains, keys and the same sequence of life events. */
  seed: string;
  /** Accepted minions at start. */
  minions: number;
  /** salt `token_expire` in seconds: eauth token lifetime and session timeout. */
  tokenExpire: number;
  /** Load mode: events per second of realistic job traffic (0 = off). */
  rate: number;
  user: string;
  password: string;
  quiet: boolean;
  /** Background fleet activity (scheduled jobs, restarts, new keys, a minion going silent). */
  life: boolean;
  /** salt `presence_events`. */
  presence: boolean;
  /** salt `loop_interval` for presence events, seconds. */
  presenceInterval: number;
  /** Divides every simulated delay (job run time, timeouts, retries, life schedule). */
  speed: number;
  /** salt `max_event_size`, bytes. */
  maxEventSize: number;
  /** How often a pending minion retries authentication (`acceptance_wait_time`), seconds. */
  authRetry: number;
  /** salt `timeout` for synchronous `local` calls, seconds. */
  timeout: number;
  /** salt `gather_job_timeout`, seconds. */
  gatherJobTimeout: number;
  /** Most jobs kept in the job cache (oldest dropped first). */
  jobCacheSize: number;
  /** Replaces the stderr logger (tests). */
  logger?: Logger;
}

export const DEFAULT_OPTIONS: SimOptions = {
  port: 8000,
  host: '127.0.0.1',
  seed: 'sylvite',
  minions: 12,
  tokenExpire: 43200,
  rate: 0,
  user: 'saltapi',
  password: 'saltapi',
  quiet: false,
  life: true,
  presence: false,
  presenceInterval: 60,
  speed: 1,
  maxEventSize: 1048576,
  authRetry: 10,
  timeout: 5,
  gatherJobTimeout: 10,
  jobCacheSize: 10000,
};

export const USAGE = `Usage: salt-sim [options]

A salt-api (rest_cherrypy) compatible server over a simulated Salt fleet.

  --port N               listen port, 0 = any free port (default 8000)
  --host H               listen address (default 127.0.0.1)
  --seed S               reproducible fleet and life (default "sylvite")
  --minions N            accepted minions at start (default 12)
  --token-expire S       eauth token / session lifetime in seconds (default 43200)
  --rate N               load mode: N events/s of job traffic (default 0 = off)
  --user U               salt-api user (default saltapi)
  --password P           its password (default: $SALT_SIM_PASSWORD, else "saltapi")
  --quiet                only errors on stderr
  --no-life              no background fleet activity (deterministic, for tests)
  --presence             fire salt/presence events (presence_events: True)
  --presence-interval S  presence loop_interval in seconds (default 60)
  --speed X              divide simulated delays by X (default 1)
  --max-event-size B     bytes before values become VALUE_TRIMMED (default 1048576)
  --auth-retry S         pending minions retry auth every S seconds (default 10)
  --timeout S            salt timeout for sync local calls (default 5)
  --gather-job-timeout S find_job wait (default 10)
  --job-cache-size N     jobs kept in the job cache (default 10000)
  --help                 this text

The first line on stdout is "salt-sim listening on http://HOST:PORT".`;

export class OptionsError extends Error {}

type NumericKey = {
  [K in keyof SimOptions]-?: SimOptions[K] extends number ? K : never;
}[keyof SimOptions];

const NUMERIC: Record<string, NumericKey> = {
  port: 'port',
  minions: 'minions',
  'token-expire': 'tokenExpire',
  rate: 'rate',
  'presence-interval': 'presenceInterval',
  speed: 'speed',
  'max-event-size': 'maxEventSize',
  'auth-retry': 'authRetry',
  timeout: 'timeout',
  'gather-job-timeout': 'gatherJobTimeout',
  'job-cache-size': 'jobCacheSize',
};

const STRINGS: Record<string, 'host' | 'seed' | 'user' | 'password'> = {
  host: 'host',
  seed: 'seed',
  user: 'user',
  password: 'password',
};

/** Parses CLI arguments (without `node main.js`). Returns null when `--help` was asked for. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): SimOptions | null {
  const opts: SimOptions = { ...DEFAULT_OPTIONS };
  if (env['SALT_SIM_PASSWORD']) opts.password = env['SALT_SIM_PASSWORD'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new OptionsError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new OptionsError(`--${name} needs a value`);
      return v;
    };
    if (name === 'help') return null;
    if (name === 'quiet') opts.quiet = true;
    else if (name === 'no-life') opts.life = false;
    else if (name === 'life') opts.life = true;
    else if (name === 'presence') opts.presence = true;
    else if (name in NUMERIC) {
      const raw = value();
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0 || raw.trim() === '') throw new OptionsError(`--${name} must be a number ≥ 0, got "${raw}"`);
      opts[NUMERIC[name]] = n;
    } else if (name in STRINGS) {
      opts[STRINGS[name]] = value();
    } else throw new OptionsError(`unknown option --${name}`);
  }
  validate(opts);
  return opts;
}

export function validate(opts: SimOptions): void {
  if (!Number.isInteger(opts.port) || opts.port > 65535) throw new OptionsError('--port must be an integer 0-65535');
  if (!Number.isInteger(opts.minions) || opts.minions < 1 || opts.minions > 100000) throw new OptionsError('--minions must be 1-100000');
  if (opts.speed <= 0) throw new OptionsError('--speed must be > 0');
  if (opts.tokenExpire <= 0) throw new OptionsError('--token-expire must be > 0');
  if (!opts.user) throw new OptionsError('--user must not be empty');
  if (!opts.password) throw new OptionsError('--password must not be empty');
}
