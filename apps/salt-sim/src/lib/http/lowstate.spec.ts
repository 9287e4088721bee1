import { login, postJson, request } from '../../testing/http-client';
import { SaltSim, startSaltSim } from '../sim';

describe('POST / lowstate', () => {
  let sim: SaltSim;
  let token: string;
  const auth = (): Record<string, string> => ({ 'X-Auth-Token': token });
  beforeAll(async () => {
    sim = await startSaltSim({ port: 0, life: false, quiet: true, speed: 50 });
    token = (await login(sim.url)).token;
  });
  afterAll(() => sim.close());

  it('should answer 400 "Lowstates must be a list" when the body is empty', async () => {
    const r = await request(sim.url, '/', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('<p>Lowstates must be a list</p>');
  });

  it('should answer 400 "Lowstates must be a list" when the body is an empty object', async () => {
    const r = await postJson(sim.url, '/', {}, auth());
    expect(r.status).toBe(400);
    expect(r.text).toContain('<p>Lowstates must be a list</p>');
  });

  it('should answer 400 "Invalid JSON document" when the JSON is broken', async () => {
    const r = await request(sim.url, '/', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: '[{"client": ' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('<p>Invalid JSON document</p>');
  });

  it('should answer a bare 400 when the client is invalid', async () => {
    const r = await postJson(sim.url, '/', [{ client: 'bogus', fun: 'test.ping', tgt: '*' }], auth());
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('text/html;charset=utf-8');
    // hypermedia_handler drops SaltInvocationError's text: CherryPy's default 400 message.
    expect(r.text).toContain('<p>Bad request syntax or unsupported method</p>');
  });

  it('should answer 406 "Content type not supported" when the body is XML', async () => {
    const r = await request(sim.url, '/', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/xml' }, body: '<x/>' });
    expect(r.status).toBe(406);
    expect(r.text).toContain('<p>Content type not supported</p>');
  });

  it('should answer 401 when no session is presented', async () => {
    const r = await postJson(sim.url, '/', [{ client: 'local', tgt: '*', fun: 'test.ping' }]);
    expect(r.status).toBe(401);
    expect(r.text).toContain('<p>No permission -- see authorization schemes</p>');
  });

  it('should answer the JSON 500 when a chunk is not a mapping', async () => {
    const r = await postJson(sim.url, '/', [1, 2], auth());
    expect(r.status).toBe(500);
    expect(r.json()).toEqual({ status: 500, return: 'An unexpected error occurred' });
  });

  it('should answer 406 when the client accepts only HTML', async () => {
    const r = await request(sim.url, '/', { headers: { Accept: 'text/html' } });
    expect(r.status).toBe(406);
  });

  it('should wrap a JSON object into a one-chunk lowstate', async () => {
    const r = await postJson(sim.url, '/', { client: 'local', tgt: 'web01*', fun: 'test.ping' }, auth());
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ return: [{ 'web01.example.com': true }] });
  });

  it('should run a urlencoded lowstate with a scalar arg', async () => {
    const r = await request(sim.url, '/', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: 'client=local&tgt=db01*&fun=test.echo&arg=hello',
    });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ return: [{ 'db01.example.com': 'hello' }] });
  });

  it('should return pub data for local_async and {} when nothing matches', async () => {
    const r = await postJson(sim.url, '/', [
      { client: 'local_async', tgt: 'web*', fun: 'test.ping' },
      { client: 'local_async', tgt: 'nothing-*', fun: 'test.ping' },
    ], auth());
    const body = r.json<{ return: Array<Record<string, unknown>> }>();
    expect(body.return[0]['jid']).toMatch(/^\d{20}$/);
    expect(body.return[0]['minions']).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com', 'web04.example.com']);
    expect(body.return[1]).toEqual({});
  });

  it('should return the runner result for runner and a tag for runner_async', async () => {
    const r = await postJson(sim.url, '/', [{ client: 'runner', fun: 'manage.status' }, { client: 'runner_async', fun: 'test.arg' }], auth());
    const body = r.json<{ return: [Record<string, string[]>, Record<string, string>] }>();
    expect(body.return[0]['up']).toHaveLength(12);
    expect(body.return[0]['down']).toEqual([]);
    expect(body.return[1]['tag']).toBe(`salt/run/${body.return[1]['jid']}`);
  });

  it('should answer cache.grains with the grains of the matching minions only', async () => {
    const r = await postJson(sim.url, '/', [{ client: 'runner', fun: 'cache.grains', tgt: 'web*', tgt_type: 'glob' }], auth());
    const [grains] = r.json<{ return: [Record<string, { id: string; os: string }>] }>().return;
    const ids = Object.keys(grains);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('web'))).toBe(true);
    expect(grains[ids[0]].id).toBe(ids[0]);
    expect(typeof grains[ids[0]].os).toBe('string');
  });

  it('should return tag and data for a wheel call', async () => {
    const r = await postJson(sim.url, '/', [{ client: 'wheel', fun: 'key.list_all' }], auth());
    const [w] = r.json<{ return: Array<{ tag: string; data: Record<string, unknown> }> }>().return;
    expect(w.tag).toMatch(/^salt\/wheel\/\d{20}$/);
    expect(Object.keys(w.data)).toEqual(['fun', 'jid', 'tag', 'user', '_stamp', 'return', 'success']);
  });

  it('should run with credentials in the chunk on /run', async () => {
    const ok = await postJson(sim.url, '/run', [{ client: 'local', tgt: 'lb01*', fun: 'test.ping', username: 'saltapi', password: 'saltapi', eauth: 'pam' }]);
    expect(ok.json()).toEqual({ return: [{ 'lb01.example.com': true }] });
    const bad = await postJson(sim.url, '/run', [{ client: 'local', tgt: '*', fun: 'test.ping', username: 'saltapi', password: 'x', eauth: 'pam' }]);
    expect(bad.status).toBe(401);
    const none = await postJson(sim.url, '/run', [{ client: 'local', tgt: '*', fun: 'test.ping' }]);
    expect(none.status).toBe(401);
  });

  it('should target nodegroups, compounds, grains and lists', async () => {
    const run = async (tgt: unknown, tgt_type: string): Promise<string[]> => {
      const r = await postJson(sim.url, '/', [{ client: 'local_async', tgt, tgt_type, fun: 'test.ping' }], auth());
      return (r.json<{ return: Array<{ minions?: string[] }> }>().return[0].minions ?? []).map((id) => id.split('.')[0]);
    };
    await expect(run('frontend', 'nodegroup')).resolves.toEqual(['lb01', 'web01', 'web02', 'web03', 'web04']);
    await expect(run('G@roles:db or E@^cache', 'compound')).resolves.toEqual(['cache01', 'db01', 'db02']);
    await expect(run('roles:app', 'grain')).resolves.toEqual(['app01', 'app02', 'app03']);
    await expect(run(['mon01.example.com', 'ghost01'], 'list')).resolves.toEqual(['mon01']);
    await expect(run('^web0[12]', 'pcre')).resolves.toEqual(['web01', 'web02']);
  });

  it('should kill a running job so that it never returns when saltutil.kill_job is called', async () => {
    const events: string[] = [];
    const off = sim.subscribe((f) => events.push(f.tag));
    const r = await postJson(sim.url, '/', [{ client: 'local_async', tgt: 'cache01*', fun: 'test.sleep', arg: [60] }], auth());
    const { jid } = r.json<{ return: Array<{ jid: string }> }>().return[0];
    const running = await postJson(sim.url, '/', [{ client: 'local', tgt: 'cache01*', fun: 'saltutil.find_job', arg: [jid] }], auth());
    expect(running.json<{ return: Array<Record<string, Record<string, unknown>>> }>().return[0]['cache01.example.com']).toMatchObject({ jid, fun: 'test.sleep', pid: expect.any(Number) });
    const k = await postJson(sim.url, '/', [{ client: 'local', tgt: 'cache01*', fun: 'saltutil.kill_job', arg: [jid] }], auth());
    expect(k.json<{ return: Array<Record<string, string>> }>().return[0]['cache01.example.com']).toMatch(new RegExp(`^Signal 9 sent to job ${jid} at pid \\d+$`));
    await new Promise((res) => setTimeout(res, 800));
    off();
    expect(events.filter((t) => t === `salt/job/${jid}/ret/cache01.example.com`)).toHaveLength(0);
    const gone = await postJson(sim.url, '/', [{ client: 'local', tgt: 'cache01*', fun: 'saltutil.find_job', arg: [jid] }], auth());
    expect(gone.json()).toEqual({ return: [{ 'cache01.example.com': {} }] });
  });

  it('should answer a bare 400 when a nodegroup is unknown', async () => {
    const r = await postJson(sim.url, '/', [{ client: 'local_async', tgt: 'nope', tgt_type: 'nodegroup', fun: 'test.ping' }], auth());
    expect(r.status).toBe(400);
  });
});
