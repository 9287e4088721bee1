import { login, postJson, RawStream, request, sleep } from '../../testing/http-client';
import { SaltSim, startSaltSim } from '../sim';

describe('salt-api authentication', () => {
  let sim: SaltSim;
  beforeAll(async () => {
    sim = await startSaltSim({ port: 0, life: false, quiet: true, speed: 50, password: 's3cret' });
  });
  afterAll(() => sim.close());

  it('should answer GET / without auth when probed', async () => {
    const r = await request(sim.url, '/');
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"return": "Welcome", "clients": ["local", "local_async", "local_batch", "local_subset", "runner", "runner_async", "ssh", "wheel", "wheel_async"]}');
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('should return a one-element list with a 40-hex session token when logging in with JSON', async () => {
    const r = await postJson(sim.url, '/login', { username: 'saltapi', password: 's3cret', eauth: 'pam' });
    expect(r.status).toBe(200);
    const body = r.json<{ return: Array<Record<string, unknown>> }>();
    expect(body.return).toHaveLength(1);
    const t = body.return[0];
    expect(Object.keys(t)).toEqual(['token', 'expire', 'start', 'user', 'eauth', 'perms']);
    expect(t['token']).toMatch(/^[0-9a-f]{40}$/);
    expect(r.headers['x-auth-token']).toBe(t['token']);
    expect(r.headers['set-cookie']?.[0]).toMatch(new RegExp(`^session_id=${String(t['token'])}; expires=\\w{3}, \\d{2} \\w{3} \\d{4} [\\d:]{8} GMT; Path=/$`));
    expect(t['expire'] as number).toBeCloseTo((t['start'] as number) + 43200, 3);
    expect(Number.isInteger(t['start'])).toBe(false);
    expect(t).toMatchObject({ user: 'saltapi', eauth: 'pam', perms: ['.*', '@jobs', '@runner', '@wheel'] });
    expect(r.text).toMatch(/^\{"return": \[\{"token": "/);
  });

  it('should log in when the form is urlencoded and eauth is auto', async () => {
    const r = await request(sim.url, '/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=saltapi&password=s3cret&eauth=auto',
    });
    expect(r.status).toBe(200);
    expect(r.json<{ return: Array<{ eauth: string }> }>().return[0].eauth).toBe('auto');
  });

  it.each([
    ['a wrong password', { username: 'saltapi', password: 'nope', eauth: 'pam' }],
    ['an unknown user', { username: 'root', password: 's3cret', eauth: 'pam' }],
    ['no eauth', { username: 'saltapi', password: 's3cret' }],
    ['an unsupported eauth', { username: 'saltapi', password: 's3cret', eauth: 'ldap' }],
  ])('should answer 401 with an HTML page when logging in with %s', async (_what, creds) => {
    const r = await postJson(sim.url, '/login', creds);
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(r.text).toContain('<h2>401 Unauthorized</h2>');
    expect(r.text).toContain('<p>Could not authenticate using provided credentials</p>');
  });

  it('should answer the generic JSON 500 when /login gets no body', async () => {
    const r = await request(sim.url, '/login', { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(500);
    expect(r.text).toBe('{"status": 500, "return": "An unexpected error occurred"}');
  });

  it('should gzip the HTML error page when the client accepts gzip', async () => {
    const r = await request(sim.url, '/', { method: 'POST', headers: { 'Accept-Encoding': 'gzip, deflate' } });
    expect(r.status).toBe(401);
    expect(r.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(r.body).toString('utf8')).toContain('<p>No permission -- see authorization schemes</p>');
  });

  it('should refuse the session after logout when the token is reused', async () => {
    const { token } = await login(sim.url, 's3cret');
    const ok = await postJson(sim.url, '/', [{ client: 'runner', fun: 'test.arg' }], { 'X-Auth-Token': token });
    expect(ok.status).toBe(200);
    const out = await postJson(sim.url, '/logout', {}, { 'X-Auth-Token': token });
    expect(out.status).toBe(200);
    expect(out.text).toBe('{"return": "Your token has been cleared"}');
    const after = await postJson(sim.url, '/', [{ client: 'runner', fun: 'test.arg' }], { 'X-Auth-Token': token });
    expect(after.status).toBe(401);
    const again = await postJson(sim.url, '/logout', {}, { 'X-Auth-Token': token });
    expect(again.status).toBe(401);
  });

  it('should mint a raw eauth token on /token that works as ?salt_token= when streaming', async () => {
    const r = await postJson(sim.url, '/token', { username: 'saltapi', password: 's3cret', eauth: 'pam' });
    expect(r.status).toBe(200);
    const [tok] = r.json<Array<Record<string, unknown>>>();
    expect(Object.keys(tok)).toEqual(['start', 'token', 'expire', 'name', 'eauth']);
    expect(tok['token']).toMatch(/^[0-9a-f]{64}$/);
    const stream = new RawStream(sim.url, `/events?salt_token=${String(tok['token'])}`);
    await stream.until((s) => s.body.startsWith('retry: 400\n'), 3000, 'retry');
    expect(stream.status).toBe(200);
    stream.close();
  });

  it('should answer 400 from /token when a credential field is missing', async () => {
    const r = await postJson(sim.url, '/token', { username: 'saltapi', password: 's3cret' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('<p>Require "username", "password", and "eauth" params</p>');
  });

  it.each([
    ['no token', '/events', {}],
    ['a bogus ?token=', '/events?token=deadbeef', {}],
    ['a non-hex X-Auth-Token', '/events', { 'X-Auth-Token': 'not-hex' }],
  ])('should answer 401 before any body byte when /events has %s', async (_what, path, headers) => {
    const r = await request(sim.url, path, { headers });
    expect(r.status).toBe(401);
    expect(r.text).toContain('<h2>401 Unauthorized</h2>');
  });

  it('should stream with ?token=<session id> when no header is sent', async () => {
    const { token } = await login(sim.url, 's3cret');
    const stream = new RawStream(sim.url, `/events?token=${token}`);
    await stream.until((s) => s.body === 'retry: 400\n', 3000, 'retry');
    sim.emit('salt/netapi/hook/x', { a: 1 });
    await stream.waitForTag('salt/netapi/hook/x');
    stream.close();
  });

  it('should invalidate X-Auth-Token but keep salt_token when salt-api "restarts"', async () => {
    const { token } = await login(sim.url, 's3cret');
    const [raw] = (await postJson(sim.url, '/token', { username: 'saltapi', password: 's3cret', eauth: 'pam' })).json<Array<{ token: string }>>();
    const a = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
    await a.until((s) => s.status === 200, 3000, 'open');
    const dropped = await postJson(sim.url, '/_sim/events/drop', { invalidateSessions: true });
    expect(dropped.json<{ dropped: number }>().dropped).toBeGreaterThanOrEqual(1);
    await a.closed;
    expect((await request(sim.url, '/events', { headers: { 'X-Auth-Token': token } })).status).toBe(401);
    const b = new RawStream(sim.url, `/events?salt_token=${raw.token}`);
    await b.until((s) => s.status === 200, 3000, 'salt_token stream');
    b.close();
  });
});

describe('token expiry on /events', () => {
  let sim: SaltSim;
  beforeAll(async () => {
    sim = await startSaltSim({ port: 0, life: false, quiet: true, speed: 50, tokenExpire: 2 });
  });
  afterAll(() => sim.close());

  it('should deliver at most one more event and end cleanly when the token expires, then refuse the reconnect', async () => {
    const { token, expire } = await login(sim.url);
    const stream = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
    await stream.until((s) => s.body === 'retry: 400\n', 3000, 'retry');
    sim.emit('test/before', { n: 1 });
    await stream.waitForTag('test/before');
    await sleep(Math.max(0, expire * 1000 - Date.now()) + 50);
    expect(stream.ended).toBe(false);
    sim.emit('test/after-expiry', { n: 2 });
    sim.emit('test/never', { n: 3 });
    await stream.closed;
    expect(stream.events().map((e) => e.tag)).toEqual(['test/before', 'test/after-expiry']);
    // A clean EOF: the chunked body's terminator, not a reset.
    expect(stream.cleanEnd).toBe(true);
    expect(stream.bytes().subarray(-5).toString('latin1')).toBe('0\r\n\r\n');
    expect(stream.errored).toBe(false);
    stream.close();
    const again = await request(sim.url, '/events', { headers: { 'X-Auth-Token': token } });
    expect(again.status).toBe(401);
    const call = await postJson(sim.url, '/', [{ client: 'runner', fun: 'test.arg' }], { 'X-Auth-Token': token });
    expect(call.status).toBe(401);
  });

  it('should end every stream at once when /_sim/tokens/expire is called and an event follows', async () => {
    const { token } = await login(sim.url);
    const stream = new RawStream(sim.url, '/events', { 'X-Auth-Token': token });
    await stream.until((s) => s.status === 200, 3000, 'open');
    await postJson(sim.url, '/_sim/tokens/expire', {});
    sim.emit('test/last', {});
    await stream.closed;
    expect(stream.cleanEnd).toBe(true);
    expect(stream.events().map((e) => e.tag)).toEqual(['test/last']);
    stream.close();
  });
});
