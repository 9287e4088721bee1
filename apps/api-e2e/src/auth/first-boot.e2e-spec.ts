import { ApiClient } from '../support/client';
import { startApi, type Api } from '../support/processes';

describe('first boot on the embedded PostgreSQL', () => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi({ database: 'embedded', bootstrap: false });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('should be healthy with every migration applied when started on a fresh data dir', async () => {
    const r = await new ApiClient(api.url).get<{ status: string; info: Record<string, { status: string }> }>('/api/health');
    expect(r.status).toBe(200);
    expect(r.body.info['database'].status).toBe('up');
    expect(r.body.info['migrations'].status).toBe('up');
    // No salt-api configured: reported, and the api is still ready.
    expect(r.body.info['salt_stream']).toMatchObject({ status: 'up', state: 'disabled' });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should print a one-time setup URL and create the first admin with it', async () => {
    const c = new ApiClient(api.url);
    expect((await c.get<{ needs_setup: boolean }>('/api/auth/setup')).body).toEqual({ needs_setup: true });
    const token = api.setupToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const wrong = await c.post('/api/auth/setup', { token: 'nope', username: 'root', password: 'long-enough-password' });
    expect(wrong.status).toBe(403);

    const ok = await c.post<{ user: { username: string; roles: string[] }; permissions: string[] }>('/api/auth/setup', {
      token, username: 'root', password: 'long-enough-password',
    });
    expect(ok.status).toBe(201);
    expect(ok.body.user.roles).toEqual(['admin']);
    expect(ok.body.permissions).toEqual(['*:*:*']);
    expect(c.cookie('sylvite_session')).toBeTruthy();

    const again = await new ApiClient(api.url).post('/api/auth/setup', { token, username: 'root2', password: 'long-enough-password' });
    expect(again.status).toBe(409);
    expect((await c.get<{ needs_setup: boolean }>('/api/auth/setup')).body).toEqual({ needs_setup: false });
  });

  it('should serve the console at / when the web bundle is built', async () => {
    const r = await fetch(api.url + '/');
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<syl-root');
  });
});
