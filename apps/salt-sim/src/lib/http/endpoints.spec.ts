import { login, postJson, RawStream, request } from '../../testing/http-client';
import { SaltSim, startSaltSim } from '../sim';

describe('convenience endpoints', () => {
  let sim: SaltSim;
  let token: string;
  const auth = (): Record<string, string> => ({ 'X-Auth-Token': token, Accept: 'application/json' });
  beforeAll(async () => {
    sim = await startSaltSim({ port: 0, life: false, quiet: true, speed: 50 });
    token = (await login(sim.url)).token;
  });
  afterAll(() => sim.close());

  it('should list cached jobs with format_job_instance fields when GET /jobs is called', async () => {
    const pub = (await postJson(sim.url, '/', [{ client: 'local', tgt: 'web0[12]*', fun: 'cmd.run', arg: ['uptime'], metadata: { console_request_id: 'abc' } }], auth())).json<{ return: unknown[] }>();
    expect(Object.keys(pub.return[0] as object)).toHaveLength(2);
    const r = await request(sim.url, '/jobs', { headers: auth() });
    expect(r.status).toBe(200);
    const jobs = r.json<{ return: Array<Record<string, Record<string, unknown>>> }>().return[0];
    const entry = Object.values(jobs).find((j) => j['Function'] === 'cmd.run');
    expect(entry && Object.keys(entry)).toEqual(['Function', 'Arguments', 'Target', 'Target-type', 'User', 'Metadata', 'StartTime']);
    expect(entry?.['StartTime']).toMatch(/^\d{4}, [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
  });

  it('should return info and per-minion returns when GET /jobs/<jid> is called', async () => {
    const pub = (await postJson(sim.url, '/', [{ client: 'local', tgt: 'db01*', fun: 'test.ping', full_return: false }], auth())).json<{ return: unknown[] }>();
    expect(pub.return[0]).toEqual({ 'db01.example.com': true });
    const jobs = (await request(sim.url, '/jobs', { headers: auth() })).json<{ return: Array<Record<string, Record<string, unknown>>> }>().return[0];
    const jid = Object.keys(jobs).find((j) => jobs[j]['Target'] === 'db01*') as string;
    const stream = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
    await stream.until((s) => s.status === 200, 3000, 'stream');
    const r = await request(sim.url, `/jobs/${jid}`, { headers: auth() });
    const body = r.json<{ info: Array<Record<string, unknown>>; return: Array<Record<string, unknown>> }>();
    expect(Object.keys(body)).toEqual(['info', 'return']);
    expect(Object.keys(body.info[0])).toEqual(['jid', 'Function', 'Arguments', 'Target', 'Target-type', 'User', 'Minions', 'StartTime', 'Result']);
    expect(body.info[0]['Result']).toEqual({ 'db01.example.com': { return: true, retcode: 0, success: true } });
    expect(body.return).toEqual([{ 'db01.example.com': true }]);
    // The lookup itself is a runner job on the bus, attributed to the API user.
    await stream.waitForTag(/^salt\/run\/\d+\/ret$/);
    const run = stream.events().find((e) => e.tag.endsWith('/new'));
    expect(run?.data).toMatchObject({ fun: 'runner.jobs.list_job', user: 'saltapi', fun_args: [{ jid }] });
    stream.close();
  });

  it('should answer the sentinel info when the jid is unknown', async () => {
    const r = await request(sim.url, '/jobs/20200101000000000000', { headers: auth() });
    expect(r.json()).toEqual({
      info: [{ jid: '20200101000000000000', Error: 'Cannot contact returner or no job with this jid', StartTime: '2020, Jan 01 00:00:00.000000', Result: {} }],
      return: [{}],
    });
  });

  it('should return an object (not a list) when GET /keys is called', async () => {
    const r = await request(sim.url, '/keys', { headers: auth() });
    const body = r.json<{ return: Record<string, string[]> }>();
    expect(Array.isArray(body.return)).toBe(false);
    expect(Object.keys(body.return)).toEqual(['minions', 'minions_pre', 'minions_rejected', 'minions_denied', 'local']);
    expect(body.return['minions']).toHaveLength(12);
    expect(body.return['local']).toEqual(['master.pem', 'master.pub']);
  });

  it('should return a fingerprint when GET /keys/<mid> is called', async () => {
    const r = await request(sim.url, '/keys/web01.example.com', { headers: auth() });
    const fp = r.json<{ return: { minions: Record<string, string> } }>().return.minions['web01.example.com'];
    expect(fp).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
  });

  it('should answer 401 when GET /keys has no session', async () => {
    expect((await request(sim.url, '/keys')).status).toBe(401);
  });

  it('should return every minion grains when GET /minions is called, and one when /minions/<id>', async () => {
    const all = (await request(sim.url, '/minions', { headers: auth() })).json<{ return: Array<Record<string, Record<string, unknown>>> }>();
    expect(Object.keys(all.return[0])).toHaveLength(12);
    const one = (await request(sim.url, '/minions/db02.example.com', { headers: auth() })).json<{ return: Array<Record<string, Record<string, unknown>>> }>();
    const grains = one.return[0]['db02.example.com'];
    expect(grains).toMatchObject({ id: 'db02.example.com', os: 'Debian', os_family: 'Debian', roles: ['db'], kernel: 'Linux' });
    expect(grains['ipv4']).toContain('127.0.0.1');
  });

  it('should answer 202 with _links when POST /minions dispatches', async () => {
    const r = await postJson(sim.url, '/minions', [{ tgt: 'app*', fun: 'test.ping' }], auth());
    expect(r.status).toBe(202);
    const body = r.json<{ return: Array<{ jid: string; minions: string[] }>; _links: { jobs: Array<{ href: string }> } }>();
    expect(body.return[0].minions).toHaveLength(3);
    expect(body._links).toEqual({ jobs: [{ href: `/jobs/${body.return[0].jid}` }] });
  });

  it('should put the heartbeat on the bus when POST /hook/sylvite/heartbeat is called', async () => {
    const stream = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
    await stream.until((s) => s.status === 200, 3000, 'stream');
    const r = await postJson(sim.url, '/hook/sylvite/heartbeat', { probe: 7 }, auth());
    expect(r.json()).toEqual({ success: true });
    await stream.waitForTag('salt/netapi/hook/sylvite/heartbeat');
    const ev = stream.events().find((e) => e.tag === 'salt/netapi/hook/sylvite/heartbeat');
    expect(Object.keys(ev?.data ?? {})).toEqual(['body', 'post', 'headers', '_stamp']);
    expect(ev?.data['body']).toBe('{"probe":7}');
    expect(ev?.data['post']).toEqual({ probe: 7 });
    expect(ev?.data['headers']).toMatchObject({ 'Content-Type': 'application/json', 'Remote-Addr': '127.0.0.1' });
    stream.close();
  });

  it('should answer 401 when a hook is posted without a session', async () => {
    expect((await postJson(sim.url, '/hook/x', {})).status).toBe(401);
  });

  it('should answer 404 and 405 as CherryPy does when the path or method is wrong', async () => {
    const nf = await request(sim.url, '/nope');
    expect(nf.status).toBe(404);
    expect(nf.text).toContain("The path '/nope' was not found.");
    const na = await request(sim.url, '/logout');
    expect(na.status).toBe(405);
    expect(na.headers['allow']).toBe('POST');
  });
});
