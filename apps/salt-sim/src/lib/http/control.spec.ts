import { login, postJson, RawStream, request, sleep } from '../../testing/http-client';
import { SaltSim, startSaltSim } from '../sim';

describe('/_sim control API', () => {
  let sim: SaltSim;
  let token: string;
  beforeAll(async () => {
    sim = await startSaltSim({ port: 0, life: false, quiet: true, speed: 100 });
    token = (await login(sim.url)).token;
  });
  afterAll(() => sim.close());

  const open = async (): Promise<RawStream> => {
    const s = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
    await s.until((x) => x.body === 'retry: 400\n', 3000, 'retry');
    return s;
  };

  it('should list its endpoints when GET /_sim is called', async () => {
    const r = await request(sim.url, '/_sim');
    expect(r.json<{ endpoints: string[] }>().endpoints).toEqual(expect.arrayContaining([expect.stringMatching(/^POST \/_sim\/emit: /)]));
  });

  it('should fire an arbitrary event when /_sim/emit is called', async () => {
    const s = await open();
    const r = await postJson(sim.url, '/_sim/emit', { tag: 'custom/thing', data: { x: 'ünïcode ✓' } });
    expect(r.json()).toEqual({ emitted: 1 });
    await s.waitForTag('custom/thing');
    expect(s.events().find((e) => e.tag === 'custom/thing')?.data).toMatchObject({ x: 'ünïcode ✓', _stamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/) });
    expect(s.body).toContain('"x": "ünïcode ✓"');
    s.close();
  });

  it('should keep a given _stamp when keepStamp is set', async () => {
    const s = await open();
    await postJson(sim.url, '/_sim/emit', { events: [{ tag: 'a', data: { _stamp: '2014-01-12_01:01:49.809617' } }], keepStamp: true });
    await s.waitForTag('a');
    expect(s.events().find((e) => e.tag === 'a')?.data['_stamp']).toBe('2014-01-12_01:01:49.809617');
    s.close();
  });

  it('should reset every stream when drop is called, leaving sessions alone by default', async () => {
    const s = await open();
    const r = await postJson(sim.url, '/_sim/events/drop', {});
    expect(r.json()).toEqual({ dropped: 1, sessionsCleared: 0 });
    await s.closed;
    expect(s.cleanEnd).toBe(false);
    const again = await open();
    expect(again.status).toBe(200);
    again.close();
  });

  it('should end streams cleanly when drop mode is "end"', async () => {
    const s = await open();
    await postJson(sim.url, '/_sim/events/drop', { mode: 'end' });
    await s.closed;
    expect(s.cleanEnd).toBe(true);
    s.close();
  });

  it('should keep a paused stream open and silent, then deliver again after resume', async () => {
    const s = await open();
    expect((await postJson(sim.url, '/_sim/events/pause', {})).json()).toEqual({ paused: 1 });
    sim.emit('while/paused', {});
    await sleep(100);
    expect(s.events()).toHaveLength(0);
    expect(s.ended).toBe(false);
    const fresh = await open();
    sim.emit('to/fresh', {});
    await fresh.waitForTag('to/fresh');
    await postJson(sim.url, '/_sim/events/resume', {});
    sim.emit('after/resume', {});
    await s.waitForTag('after/resume');
    expect(s.events().map((e) => e.tag)).toEqual(['after/resume']);
    expect(sim.counters().streams.droppedWhilePaused).toBeGreaterThanOrEqual(2);
    s.close();
    fresh.close();
  });

  it('should repeat pend while a new key waits when a pending minion is added', async () => {
    const s = await open();
    const r = await postJson(sim.url, '/_sim/minions', {});
    const { id } = r.json<{ id: string }>();
    expect(id).toMatch(/\.example\.com$/);
    await s.until((x) => x.events().filter((e) => e.tag === 'salt/auth' && e.data['id'] === id && e.data['act'] === 'pend').length >= 3, 3000, '3 pends');
    const keys = (await request(sim.url, '/keys', { headers: { 'X-Auth-Token': token } })).json<{ return: { minions_pre: string[] } }>();
    expect(keys.return.minions_pre).toContain(id);
    // Rejected, the machine gives up after its next attempt (a deleted one would keep asking).
    await postJson(sim.url, '/', [{ client: 'wheel', fun: 'key.reject', match: id }], { 'X-Auth-Token': token });
    await s.until((x) => x.events().some((e) => e.tag === 'salt/auth' && e.data['id'] === id && e.data['result'] === false), 3000, 'refused auth');
    s.close();
  });

  it('should stop a minion returning when it is down and bring it back with start events when up', async () => {
    const s = await open();
    await postJson(sim.url, '/_sim/minions/app01.example.com/down', {});
    const r = await postJson(sim.url, '/', [{ client: 'local_async', tgt: 'app*', fun: 'test.ping' }], { 'X-Auth-Token': token });
    const { jid } = r.json<{ return: Array<{ jid: string; minions: string[] }> }>().return[0];
    await s.waitForTag(new RegExp(`^salt/job/${jid}/ret/`), 2);
    await sleep(100);
    expect(s.events().filter((e) => e.tag.startsWith(`salt/job/${jid}/ret/`)).map((e) => e.data['id'])).not.toContain('app01.example.com');
    await postJson(sim.url, '/_sim/minions/app01.example.com/up', {});
    await s.waitForTag('salt/minion/app01.example.com/start');
    expect((await postJson(sim.url, '/_sim/minions/nope/down', {})).status).toBe(404);
    s.close();
  });

  it('should emit load traffic with the three size classes and count it when a burst runs', async () => {
    const s = await open();
    const before = sim.counters().load.emitted;
    const r = await postJson(sim.url, '/_sim/burst', { rate: 2000, events: 300 });
    expect(r.json()).toEqual({ rate: 2000, events: 300, returns: null });
    await s.until((x) => x.body.endsWith('\n\n') && x.body.split('\ndata: ').length - 1 >= 300, 5000, 'burst');
    await sleep(50);
    expect(sim.counters().load.emitted - before).toBe(300);
    expect(sim.counters().load.burstRemaining).toBe(0);
    expect(sim.counters().load.rate).toBe(0);
    const rets = s.body.split('\n').filter((l) => l.startsWith('data: ') && l.includes('"cmd": "_return"'));
    const sizes = rets.map((l) => Buffer.byteLength(l) - 6);
    const inBand = (n: number, kb: number): boolean => n > kb * 1024 * 0.85 && n < kb * 1024 * 1.15;
    expect(sizes.filter((n) => !(inBand(n, 2) || inBand(n, 20) || inBand(n, 200)))).toEqual([]);
    expect(sizes.filter((n) => inBand(n, 2)).length).toBeGreaterThan(sizes.length / 2);
    const stamp = JSON.parse(rets[0].slice(6)).data._stamp as string;
    expect(Math.abs(Date.parse(`${stamp}Z`) - Date.now())).toBeLessThan(10_000);
    s.close();
  });

  it('should count a load job when its new event fires, not before', async () => {
    const s = await open();
    const before = { ...sim.counters().load };
    await postJson(sim.url, '/_sim/burst', { rate: 2000, events: 50 });
    await s.until((x) => x.events().length >= 50, 5000, 'first burst');
    // Finish the job in flight, then stop right after the next job's first (bare jid) event.
    const events = s.events();
    const current = [...events].reverse().find((e) => /^\d{20}$/.test(e.tag)) as { tag: string; data: Record<string, unknown> };
    const sent = events.filter((e) => e.tag === current.tag || e.tag.startsWith(`salt/job/${current.tag}/`)).length;
    const rest = (current.data['minions'] as string[]).length + 2 - sent + 1;
    await postJson(sim.url, '/_sim/burst', { rate: 2000, events: rest });
    await s.until((x) => x.events().length >= 50 + rest, 5000, 'second burst');
    await sleep(50);
    const all = s.events();
    expect(/^\d{20}$/.test(all[all.length - 1].tag)).toBe(true);
    const after = sim.counters().load;
    expect(after.jobs - before.jobs).toBe(all.filter((e) => /^salt\/job\/\d+\/new$/.test(e.tag)).length);
    expect(after.returns - before.returns).toBe(all.filter((e) => /^salt\/job\/\d+\/ret\//.test(e.tag)).length);
    s.close();
  });

  it('should report event counters by kind', async () => {
    const c = (await request(sim.url, '/_sim/counters')).json<{ events: { fired: number; byKind: Record<string, number> }; jobsCached: number }>();
    expect(c.events.fired).toBeGreaterThan(0);
    expect(c.events.byKind['job.ret']).toBeGreaterThan(0);
    expect(c.jobsCached).toBeGreaterThan(0);
  });

  it('should fire a multi-MiB event when it comes through /_sim/emit', async () => {
    const s = await open();
    const big = 'déjà vu — 日本語 🎉 '.repeat(150_000);
    await postJson(sim.url, '/_sim/emit', { tag: 'big/one', data: { text: big } });
    await s.waitForTag('big/one');
    expect(s.events().find((e) => e.tag === 'big/one')?.data['text']).toBe('VALUE_TRIMMED');
    s.close();
  });

  it('should answer 400 when a control body is not an object', async () => {
    const r = await request(sim.url, '/_sim/rate', { method: 'POST', body: '[1]' });
    expect(r.status).toBe(400);
  });
});
