import { IncomingMessage, ServerResponse } from 'node:http';
import { StateMode } from '../exec/states';
import type { SimControls } from '../sim';
import { readBody } from './body';

interface ControlRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  doc: string;
  run: (c: SimControls, body: Record<string, unknown>, params: string[]) => unknown | Promise<unknown>;
}

const CONTROL_MAX_BODY = 256 * 1024 * 1024;

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const num = (v: unknown, name: string): number => {
  const n = Number(v);
  if (v === undefined || v === null || !Number.isFinite(n) || n < 0) throw new ControlError(400, `${name} must be a number ≥ 0`);
  return n;
};

/** The `/_sim/*` control surface for tests and benchmarks. Not part of salt-api. */
const ROUTES: ControlRoute[] = [
  { method: 'GET', pattern: /^\/_sim\/?$/, doc: 'this index', run: () => ({ endpoints: ROUTES.map((r) => `${r.method} ${r.pattern.source.replace(/\\\//g, '/').replace(/^\^|\/\?\$$|\$$/g, '')}: ${r.doc}`) }) },
  { method: 'GET', pattern: /^\/_sim\/state$/, doc: 'fleet, keys, nodegroups, sessions, streams', run: (c) => c.state() },
  { method: 'GET', pattern: /^\/_sim\/counters$/, doc: 'events fired (by kind), stream writes, load generator', run: (c) => c.counters() },
  {
    method: 'POST',
    pattern: /^\/_sim\/emit$/,
    doc: '{tag, data, keepStamp?} or {events: [{tag, data}], keepStamp?}: fire arbitrary events',
    run: (c, b) => {
      const events = Array.isArray(b['events']) ? (b['events'] as Array<Record<string, unknown>>) : [b];
      for (const e of events) {
        if (typeof e['tag'] !== 'string' || typeof e['data'] !== 'object' || e['data'] === null) throw new ControlError(400, 'each event needs a string tag and an object data');
        c.emit(e['tag'], e['data'] as Record<string, unknown>, b['keepStamp'] === true);
      }
      return { emitted: events.length };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_sim\/events\/drop$/,
    doc: '{mode?: "reset"|"end", invalidateSessions?}: kill every /events stream (a salt-api restart when invalidateSessions)',
    run: (c, b) => c.dropStreams({ mode: b['mode'] === 'end' ? 'end' : 'reset', invalidateSessions: b['invalidateSessions'] === true }),
  },
  { method: 'POST', pattern: /^\/_sim\/events\/pause$/, doc: '{includeNew?}: stop writing to open streams without closing them', run: (c, b) => ({ paused: c.pauseStreams(b['includeNew'] === true) }) },
  { method: 'POST', pattern: /^\/_sim\/events\/resume$/, doc: 'write to paused streams again', run: (c) => ({ resumed: c.resumeStreams() }) },
  {
    method: 'POST',
    pattern: /^\/_sim\/minions$/,
    doc: '{id?, state?: "pending"|"denied"}: a new machine asking for its key (pend repeats), or a key mismatch',
    run: (c, b) => {
      const id = typeof b['id'] === 'string' && b['id'] ? b['id'] : undefined;
      if (b['state'] === 'denied') {
        if (!id) throw new ControlError(400, 'id is required for denied');
        c.denyKey(id);
        return { id, state: 'denied' };
      }
      return { id: c.addPendingMinion(id), state: 'pending' };
    },
  },
  { method: 'POST', pattern: /^\/_sim\/minions\/([^/]+)\/down$/, doc: 'the minion goes silent', run: (c, _b, p) => c.setMinionUp(p[0], false) },
  { method: 'POST', pattern: /^\/_sim\/minions\/([^/]+)\/up$/, doc: 'the minion comes back (auth + start events)', run: (c, _b, p) => c.setMinionUp(p[0], true) },
  { method: 'POST', pattern: /^\/_sim\/minions\/([^/]+)\/restart$/, doc: '{downMs?}: restart (silent, then auth + start events)', run: (c, b, p) => c.restartMinion(p[0], b['downMs'] === undefined ? undefined : num(b['downMs'], 'downMs')) },
  {
    method: 'POST',
    pattern: /^\/_sim\/minions\/([^/]+)\/schedule$/,
    doc: '{fun?, stateMode?}: a minion-scheduled job return (no new event)',
    run: (c, b, p) => c.scheduledJob(p[0], typeof b['fun'] === 'string' ? b['fun'] : 'state.highstate', b['stateMode'] as StateMode | undefined),
  },
  { method: 'POST', pattern: /^\/_sim\/rate$/, doc: '{rate}: load mode events/s (0 stops)', run: (c, b) => c.setRate(num(b['rate'], 'rate')) },
  {
    method: 'POST',
    pattern: /^\/_sim\/burst$/,
    doc: '{rate, events? | returns?}: emit exactly that many load events (or returns), then resume the previous rate',
    run: (c, b) => {
      const events = b['events'] === undefined ? null : num(b['events'], 'events');
      const returns = b['returns'] === undefined ? null : num(b['returns'], 'returns');
      if (events === null && returns === null) throw new ControlError(400, 'events or returns is required');
      return c.burst(num(b['rate'], 'rate'), events, returns);
    },
  },
  {
    method: 'POST',
    pattern: /^\/_sim\/jobs$/,
    doc: '{tgt, fun, arg?, kwarg?, tgt_type?, user?, sync?, stateMode?}: a job started on the master CLI',
    run: (c, b) => c.cliJob(b),
  },
  { method: 'POST', pattern: /^\/_sim\/tokens\/expire$/, doc: 'every eauth token expires now', run: (c) => ({ expired: c.expireTokens() }) },
  { method: 'POST', pattern: /^\/_sim\/rotate$/, doc: 'AES key rotation: a "key" event and a burst of re-auths', run: (c) => c.rotate() },
  { method: 'POST', pattern: /^\/_sim\/presence$/, doc: 'one presence tick now', run: (c) => c.presenceTick() },
];

export async function handleControl(controls: SimControls, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const reply = (status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
  };
  try {
    const matching = ROUTES.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return reply(404, { error: `no control endpoint ${path}` });
    const route = matching.find((r) => r.method === req.method);
    if (!route) return reply(405, { error: `use ${matching.map((r) => r.method).join(' or ')}` });
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      // Tests emit multi-MiB events through here: a far higher cap than salt-api's own 1 MiB.
      const text = (await readBody(req, CONTROL_MAX_BODY)).toString('utf8');
      if (text.trim()) {
        try {
          const parsed: unknown = JSON.parse(text);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
          body = parsed as Record<string, unknown>;
        } catch {
          return reply(400, { error: 'body must be a JSON object' });
        }
      }
    } else req.resume();
    const params = (route.pattern.exec(path) ?? []).slice(1).map(decodeURIComponent);
    reply(200, (await route.run(controls, body, params)) ?? { ok: true });
  } catch (e) {
    const status = (e as { status?: unknown }).status;
    reply(typeof status === 'number' ? status : 500, { error: (e as Error).message });
  }
}
