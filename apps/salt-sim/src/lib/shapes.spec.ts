import { corpus, CorpusEvent, shapeOf } from '../testing/corpus';
import { login, postJson, request, sleep } from '../testing/http-client';
import { SaltSim, startSaltSim } from './sim';

const C = corpus();

/** Events as they went out on the wire (parsed from the frames, so later mutations don't show). */
class Capture {
  readonly events: CorpusEvent[] = [];
  private readonly off: () => void;
  constructor(sim: SaltSim) {
    this.off = sim.subscribe((frame) => this.events.push(JSON.parse(frame.dataLine.slice(6)) as CorpusEvent));
  }
  find(pred: (e: CorpusEvent) => boolean): CorpusEvent[] {
    return this.events.filter(pred);
  }
  async waitFor(pred: (e: CorpusEvent) => boolean, count = 1, ms = 4000): Promise<CorpusEvent[]> {
    const end = Date.now() + ms;
    while (this.find(pred).length < count) {
      if (Date.now() > end) throw new Error(`timed out; saw ${this.events.map((e) => e.tag).join(', ')}`);
      await sleep(10);
    }
    return this.find(pred);
  }
  stop(): void {
    this.off();
  }
}

const tagIs = (re: RegExp) => (e: CorpusEvent) => re.test(e.tag);

/** Same keys in the same order with the same JSON types as corpus line `n`. */
function expectLike(actual: CorpusEvent | undefined, n: number): void {
  expect(actual).toBeDefined();
  expect(shapeOf(actual?.data)).toEqual(shapeOf(C[n].data));
}

function firstEntry(e: CorpusEvent | undefined): unknown {
  const ret = e?.data['return'] as Record<string, unknown>;
  return Object.values(ret)[0];
}

describe('event shapes against the corpus', () => {
  let sim: SaltSim;
  let token: string;
  let cap: Capture;
  const auth = (): Record<string, string> => ({ 'X-Auth-Token': token });
  const low = (chunk: Record<string, unknown>) => postJson(sim.url, '/', [chunk], auth());

  beforeAll(async () => {
    sim = await startSaltSim({ port: 0, life: false, quiet: true, speed: 100, presence: false });
    token = (await login(sim.url)).token;
  });
  afterAll(() => sim.close());
  beforeEach(() => (cap = new Capture(sim)));
  afterEach(() => cap.stop());

  it('should emit <jid>, new and one ret per minion like lines 11-14 when local_async test.ping runs', async () => {
    const r = await low({ client: 'local_async', tgt: 'web0[12]*', fun: 'test.ping' });
    const { jid } = r.json<{ return: Array<{ jid: string }> }>().return[0];
    const rets = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)), 2);
    expectLike(cap.find((e) => e.tag === jid)[0], 11);
    expectLike(cap.find((e) => e.tag === `salt/job/${jid}/new`)[0], 12);
    expectLike(rets[0], 13);
    expect(cap.events[0].tag).toBe(jid);
  });

  it('should shape state returns like line 17 when a state.apply makes changes', async () => {
    const r = await postJson(sim.url, '/_sim/jobs', { tgt: 'web01*', fun: 'state.apply', stateMode: 'changes' });
    const { jid } = r.json<{ jid: string }>();
    const [ret] = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)));
    expectLike(ret, 17);
    expect(shapeOf(firstEntry(ret))).toEqual(shapeOf(firstEntry(C[17])));
    const entries = Object.values(ret.data['return'] as Record<string, Record<string, unknown>>);
    expect(entries.some((s) => Object.keys(s['changes'] as object).length > 0)).toBe(true);
    expect(cap.find((e) => e.tag === 'minion/refresh/web01.example.com')).toHaveLength(1);
    expectLike(cap.find((e) => e.tag.startsWith('minion/refresh/'))[0], 71);
  });

  it('should mark test-mode changes with result null like line 31 when test=True', async () => {
    const r = await postJson(sim.url, '/_sim/jobs', { tgt: 'web02*', fun: 'state.apply', kwarg: { test: true }, stateMode: 'changes' });
    const { jid } = r.json<{ jid: string }>();
    const [ret] = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)));
    expectLike(ret, 31);
    expect(ret.data['fun_args']).toEqual([{ test: true }]);
    const newEv = cap.find((e) => e.tag === `salt/job/${jid}/new`)[0];
    expect(newEv.data['arg']).toEqual([{ __kwarg__: true, test: true }]);
    const entries = Object.values(ret.data['return'] as Record<string, Record<string, unknown>>);
    expect(entries.some((s) => s['result'] === null)).toBe(true);
  });

  it('should emit the failed ret and the sub/error pairs like lines 21-23 when a state.sls fails', async () => {
    const r = await postJson(sim.url, '/_sim/jobs', { tgt: ['db01.example.com', 'ghost01'], tgt_type: 'list', fun: 'state.sls', arg: ['postgres', { __kwarg__: true, pillar: { pg_version: 15 } }], stateMode: 'fail', user: 'saltapi' });
    const { jid } = r.json<{ jid: string }>();
    const [ret] = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)));
    const sub = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/sub/db01.example.com/error/state.sls$`)));
    expectLike(cap.find((e) => e.tag === `salt/job/${jid}/new`)[0], 20);
    expect(cap.find((e) => e.tag === `salt/job/${jid}/new`)[0].data['missing']).toEqual(['ghost01']);
    expectLike(ret, 21);
    expect(ret.data['retcode']).toBe(2);
    const dup = cap.find((e) => /^(pkg|service|file)\.(installed|running|managed)$/.test(e.tag))[0];
    expect(Object.keys(dup.data).slice(-2)).toEqual(['retcode', '_stamp']);
    const corpusSubKeys = Object.keys(C[23].data).slice(-8);
    expect(Object.keys(sub[0].data).slice(-8)).toEqual(corpusSubKeys);
    expect(sub[0].data['return']).toBe(`Error: ${dup.tag}`);
  });

  it('should shape a failed cmd.run like line 28', async () => {
    const r = await low({ client: 'local_async', tgt: 'web02*', fun: 'cmd.run', arg: ['fooctl status'] });
    const { jid } = r.json<{ return: Array<{ jid: string }> }>().return[0];
    const [ret] = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)));
    expectLike(ret, 28);
    expect(ret.data).toMatchObject({ success: false, retcode: 127, return: expect.stringContaining('fooctl') });
  });

  it('should poll a down minion with saltutil.find_job like line 34 and never get its ret when local is synchronous', async () => {
    await postJson(sim.url, '/_sim/minions/db02.example.com/down', {});
    const r = await low({ client: 'local', tgt: 'db0*', fun: 'test.ping' });
    expect(r.json()).toEqual({ return: [{ 'db01.example.com': true }] });
    const fj = cap.find((e) => /^salt\/job\/\d+\/new$/.test(e.tag) && e.data['fun'] === 'saltutil.find_job');
    expect(fj.length).toBeGreaterThanOrEqual(1);
    expectLike(fj[0], 34);
    expect(fj[0].data['tgt']).toEqual(['db02.example.com']);
    expect(cap.find((e) => e.tag.endsWith('/ret/db02.example.com'))).toHaveLength(0);
    await postJson(sim.url, '/_sim/minions/db02.example.com/up', {});
    const starts = await cap.waitFor((e) => e.tag === 'salt/minion/db02.example.com/start');
    expectLike(cap.find((e) => e.tag === 'salt/auth')[0], 46);
    expectLike(cap.find((e) => e.tag === 'minion_start')[0], 47);
    expectLike(starts[0], 48);
  });

  it('should emit runner new/ret like lines 35-36 when GET /jobs/<jid> is called', async () => {
    const r = await low({ client: 'local', tgt: 'lb01*', fun: 'test.ping' });
    expect(r.status).toBe(200);
    const jid = cap.find((e) => /^\d{20}$/.test(e.tag))[0].tag;
    await request(sim.url, `/jobs/${jid}`, { headers: auth() });
    const [ret] = await cap.waitFor(tagIs(/^salt\/run\/\d+\/ret$/));
    expectLike(cap.find(tagIs(/^salt\/run\/\d+\/new$/))[0], 35);
    expectLike(ret, 36);
    expect(shapeOf(ret.data['return'])).toEqual(shapeOf(C[36].data['return']));
  });

  it('should emit runner new/args/ret like lines 37-39 when an orchestration runs', async () => {
    const r = await low({ client: 'runner_async', fun: 'state.orchestrate', mods: 'orch.deploy' });
    const { jid } = r.json<{ return: Array<{ jid: string }> }>().return[0];
    const [ret] = await cap.waitFor((e) => e.tag === `salt/run/${jid}/ret`, 1, 6000);
    expectLike(cap.find((e) => e.tag === `salt/run/${jid}/new`)[0], 37);
    expectLike(cap.find((e) => e.tag === `salt/run/${jid}/args`)[0], 38);
    expectLike(ret, 39);
    expect(shapeOf(ret.data['return'])).toEqual(shapeOf(C[39].data['return']));
  });

  it('should run the key lifecycle like lines 40-52 when a new minion is accepted, rejected and deleted', async () => {
    const added = (await postJson(sim.url, '/_sim/minions', { id: 'cache09.example.com' })).json<{ id: string }>();
    expect(added.id).toBe('cache09.example.com');
    const pends = await cap.waitFor((e) => e.tag === 'salt/auth' && e.data['act'] === 'pend', 2);
    expectLike(pends[0], 40);
    expect(pends[1].data['id']).toBe('cache09.example.com');

    const acc = await low({ client: 'wheel', fun: 'key.accept', match: 'cache09.example.com' });
    expect(acc.json<{ return: Array<{ data: { return: unknown } }> }>().return[0].data.return).toEqual({ minions: ['cache09.example.com'] });
    const wheel = cap.find(tagIs(/^salt\/wheel\//));
    expect(wheel.map((e) => e.tag.replace(/\d{20}/, 'J'))).toEqual(['salt/wheel/J/new', 'salt/wheel/J/new', 'salt/wheel/J/ret', 'salt/wheel/J/ret']);
    expectLike(wheel[0], 41);
    expectLike(wheel[1], 42);
    expectLike(wheel[2], 44);
    expectLike(wheel[3], 45);
    expect(wheel[1].data['fun_args']).toEqual(['cache09.example.com', { include_rejected: false, include_denied: false }]);
    expectLike(cap.find((e) => e.tag === 'salt/key')[0], 43);
    const keyIdx = cap.events.findIndex((e) => e.tag === 'salt/key');
    expect(cap.events[keyIdx - 1].tag).toBe(wheel[1].tag);
    await cap.waitFor((e) => e.tag === 'salt/minion/cache09.example.com/start');
    const authAccept = cap.find((e) => e.tag === 'salt/auth' && e.data['act'] === 'accept')[0];
    expectLike(authAccept, 46);

    await low({ client: 'wheel', fun: 'key.reject', match: 'cache09.example.com', include_accepted: true });
    const rej = await cap.waitFor((e) => e.tag === 'salt/key' && e.data['act'] === 'reject');
    expectLike(rej[0], 49);
    const refused = await cap.waitFor((e) => e.tag === 'salt/auth' && e.data['result'] === false);
    expectLike(refused[0], 50);

    await low({ client: 'wheel', fun: 'key.delete', match: 'cache09.example.com' });
    const del = await cap.waitFor((e) => e.tag === 'salt/key' && e.data['act'] === 'delete');
    expectLike(del[0], 51);

    await postJson(sim.url, '/_sim/minions', { id: 'web01.example.com', state: 'denied' });
    const denied = await cap.waitFor((e) => e.tag === 'salt/auth' && e.data['act'] === 'denied');
    expectLike(denied[0], 52);
  });

  it('should fire presence change then present like lines 53-54', async () => {
    await postJson(sim.url, '/_sim/presence', {});
    expectLike(cap.find((e) => e.tag === 'salt/presence/change')[0], 53);
    expectLike(cap.find((e) => e.tag === 'salt/presence/present')[0], 54);
  });

  it('should trim a huge return to VALUE_TRIMMED like line 58 while the job cache keeps it', async () => {
    const r = await low({ client: 'local_async', tgt: 'web02*', fun: 'cmd.run', arg: ['journalctl -u app --no-pager'] });
    const { jid } = r.json<{ return: Array<{ jid: string }> }>().return[0];
    const [ret] = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)));
    expectLike(ret, 58);
    expect(ret.data['return']).toBe('VALUE_TRIMMED');
    const full = await request(sim.url, `/jobs/${jid}`, { headers: auth() });
    const value = full.json<{ return: Array<Record<string, string>> }>().return[0]['web02.example.com'];
    expect(value.length).toBeGreaterThan(1_000_000);
  });

  it('should shape a minion-scheduled return like line 59', async () => {
    await postJson(sim.url, '/_sim/minions/web02.example.com/schedule', { stateMode: 'fail' });
    const [ret] = await cap.waitFor(tagIs(/^salt\/job\/\d+\/ret\/web02.example.com$/));
    expect(Object.keys(ret.data)).toEqual(Object.keys(C[59].data));
    expectLike(ret, 59);
    expect(ret.data).toMatchObject({ success: true, retcode: 2, schedule: 'highstate-hourly' });
    expect(cap.find(tagIs(/\/new$/))).toHaveLength(0);
  });

  it('should key returns by function like lines 63-64 when the job is multi-function', async () => {
    const r = await low({ client: 'local_async', tgt: 'web01*', fun: ['test.ping', 'cmd.run'], arg: [[], ['uptime']] });
    const { jid } = r.json<{ return: Array<{ jid: string }> }>().return[0];
    const [ret] = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)));
    expectLike(cap.find((e) => e.tag === `salt/job/${jid}/new`)[0], 63);
    expectLike(ret, 64);
    expect(ret.data['retcode']).toEqual({ 'test.ping': 0, 'cmd.run': 0 });
  });

  it('should answer an unknown function like line 68', async () => {
    const r = await low({ client: 'local_async', tgt: 'web02*', fun: 'nginx.reload' });
    const { jid } = r.json<{ return: Array<{ jid: string }> }>().return[0];
    const [ret] = await cap.waitFor(tagIs(new RegExp(`^salt/job/${jid}/ret/`)));
    expectLike(ret, 68);
    expect(ret.data['return']).toBe("'nginx.reload' is not available.");
  });

  it('should refuse the state run that starts second like line 65 while one is running', async () => {
    // Both start in the same tick, so the second always finds the first running (two HTTP calls
    // could land after the first, sped-up run has already finished on a loaded machine).
    const started = (await Promise.all([
      sim.cliJob({ tgt: 'db01*', fun: 'state.highstate', stateMode: 'ok' }),
      sim.cliJob({ tgt: 'db01*', fun: 'state.apply', stateMode: 'ok' }),
    ])) as Array<{ jid: string }>;
    const jids = started.map((r) => r.jid);
    const rets = await cap.waitFor((e) => jids.some((j) => e.tag === `salt/job/${j}/ret/db01.example.com`), 2);
    const conflicts = rets.filter((e) => Array.isArray(e.data['return']));
    expect(conflicts).toHaveLength(1);
    expectLike(conflicts[0], 65);
    expect(conflicts[0].data['retcode']).toBe(1);
    expect(String((conflicts[0].data['return'] as string[])[0])).toMatch(/^The function "state\.(highstate|apply)" is running as PID \d+ and was started at \d{4}, \w{3} \d\d [\d:.]+ with jid \d{20}$/);
  });

  it('should rotate the AES key like line 70 and re-auth every connected minion', async () => {
    await postJson(sim.url, '/_sim/rotate', {});
    expectLike(cap.find((e) => e.tag === 'key')[0], 70);
    const reauths = await cap.waitFor((e) => e.tag === 'salt/auth' && e.data['act'] === 'accept', 10, 6000);
    expectLike(reauths[0], 46);
  });
});
