import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { BusCounters, EventData, Frame } from './bus/event-bus';
import { Minion } from './fleet/fleet';
import { StateMode } from './exec/states';
import { ControlError, handleControl } from './http/control';
import { EventStreamHub, StreamCounters } from './http/event-stream';
import { SaltApi } from './http/salt-api';
import { LoadCounters, LoadGenerator } from './life/load';
import { FleetLife } from './life/life';
import { Master } from './master/master';
import { DEFAULT_OPTIONS, SimOptions, validate } from './options';
import { createLogger } from './util/logger';

export interface SimCounters {
  events: BusCounters;
  streams: StreamCounters;
  load: LoadCounters;
  jobsCached: number;
}

/** What the `/_sim/*` API and in-process tests can do to a running simulator. */
export interface SimControls {
  state(): Record<string, unknown>;
  counters(): SimCounters;
  emit(tag: string, data: EventData, keepStamp?: boolean): void;
  dropStreams(opts?: { mode?: 'reset' | 'end'; invalidateSessions?: boolean }): { dropped: number; sessionsCleared: number };
  pauseStreams(includeNew?: boolean): number;
  resumeStreams(): number;
  addPendingMinion(id?: string): string;
  denyKey(id: string): void;
  setMinionUp(id: string, up: boolean): { id: string; up: boolean };
  restartMinion(id: string, downMs?: number): { id: string };
  scheduledJob(id: string, fun: string, stateMode?: StateMode): { id: string };
  setRate(rate: number): { rate: number };
  burst(rate: number, events: number | null, returns: number | null): { rate: number; events: number | null; returns: number | null };
  cliJob(body: Record<string, unknown>): Promise<unknown>;
  expireTokens(): number;
  rotate(): { rotated: true };
  presenceTick(): { ok: true };
}

export interface SaltSim extends SimControls {
  /** `http://host:port`, no trailing slash. */
  url: string;
  host: string;
  port: number;
  master: Master;
  /** Taps the bus in-process: every frame as it is written to `/events`. */
  subscribe(listener: (frame: Frame, data: EventData | null) => void): () => void;
  close(): Promise<void>;
}

/** Starts a simulator. Options default as the CLI's; `port: 0` picks a free port. */
export async function startSaltSim(options: Partial<SimOptions> = {}): Promise<SaltSim> {
  const opts: SimOptions = { ...DEFAULT_OPTIONS, ...options };
  validate(opts);
  const logger = opts.logger ?? createLogger(opts.quiet);
  const master = new Master(opts, logger);
  const streams = new EventStreamHub(master.bus, master.ctx.auth, logger);
  const api = new SaltApi(master, streams);
  const load = new LoadGenerator(master.ctx);
  const sockets = new Set<Socket>();

  const minion = (id: string): Minion => {
    const m = master.fleet.minions.get(id);
    if (!m) throw new ControlError(404, `no minion ${id}`);
    return m;
  };

  const controls: SimControls = {
    state: () => ({
      minions: [...master.fleet.minions.values()].map((m) => ({
        id: m.id,
        key: master.fleet.keyState(m.id),
        up: m.up,
        role: m.role,
        os: m.grains['os'],
        ip: (m.grains['ipv4'] as string[]).find((ip) => ip !== '127.0.0.1'),
        running: [...m.running.keys()],
      })),
      keys: master.fleet.listAll(),
      nodegroups: master.fleet.nodegroups,
      auth: master.ctx.auth.counts(),
      streams: streams.size,
      rate: load.counters.rate,
      options: { seed: opts.seed, speed: opts.speed, tokenExpire: opts.tokenExpire, life: opts.life, presence: opts.presence, user: opts.user },
    }),
    counters: () => ({ events: master.bus.counters, streams: streams.counters, load: load.counters, jobsCached: master.ctx.cache.size }),
    emit: (tag, data, keepStamp = false) => void master.bus.fire(tag, data, keepStamp),
    dropStreams: ({ mode = 'reset', invalidateSessions = false } = {}) => {
      const dropped = streams.dropAll(mode);
      return { dropped, sessionsCleared: invalidateSessions ? master.ctx.auth.clearSessions() : 0 };
    },
    pauseStreams: (includeNew = false) => streams.pause(includeNew),
    resumeStreams: () => streams.resume(),
    addPendingMinion: (id) => master.keys.newPendingMinion(id).id,
    denyKey: (id) => master.keys.deny(id),
    setMinionUp: (id, up) => {
      const m = minion(id);
      if (up) master.keys.up(m);
      else master.keys.down(m);
      return { id, up };
    },
    restartMinion: (id, downMs) => {
      master.keys.restart(minion(id), downMs);
      return { id };
    },
    scheduledJob: (id, fun, stateMode) => {
      master.local.runScheduled(minion(id), fun, 'highstate-hourly', stateMode);
      return { id };
    },
    setRate: (rate) => {
      load.setRate(rate);
      return { rate };
    },
    burst: (rate, events, returns) => {
      load.startBurst(rate, events, returns);
      return { rate, events, returns };
    },
    cliJob: async (b) => {
      if (b['tgt'] === undefined || typeof b['fun'] !== 'string' && !Array.isArray(b['fun'])) throw new ControlError(400, 'tgt and fun are required');
      const req = {
        tgt: b['tgt'],
        tgtType: typeof b['tgt_type'] === 'string' ? b['tgt_type'] : undefined,
        fun: b['fun'] as string | string[],
        arg: Array.isArray(b['arg']) ? b['arg'] : [],
        kwarg: typeof b['kwarg'] === 'object' && b['kwarg'] !== null ? (b['kwarg'] as Record<string, unknown>) : undefined,
        user: typeof b['user'] === 'string' ? b['user'] : 'sudo_alice',
        stateMode: b['stateMode'] as StateMode | undefined,
      };
      if (b['sync'] === true) {
        const { pub, returns } = await master.local.runSync(req);
        return { jid: pub?.jid ?? null, minions: pub?.minions ?? [], returns: Object.fromEntries([...returns].map(([id, r]) => [id, r.return])) };
      }
      return master.local.publish(req) ?? {};
    },
    expireTokens: () => master.ctx.auth.expireAllTokens(),
    rotate: () => {
      master.keys.rotate();
      return { rotated: true };
    },
    presenceTick: () => {
      master.keys.presenceTick();
      return { ok: true };
    },
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://salt-api');
    const done = url.pathname.startsWith('/_sim') ? handleControl(controls, req, res, url.pathname) : api.handle(req, res, url);
    done.catch((e: Error) => {
      logger.error(`request failed: ${e.stack ?? e.message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostForUrl}:${port}`;

  const life = opts.life ? new FleetLife(master) : null;
  life?.start();
  if (opts.rate > 0) load.setRate(opts.rate);

  let closed: Promise<void> | null = null;
  return {
    ...controls,
    url,
    host: opts.host,
    port,
    master,
    subscribe: (listener) => master.bus.subscribe(listener),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        load.stop();
        master.close();
        streams.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}
