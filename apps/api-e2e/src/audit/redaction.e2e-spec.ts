import type { CreatedApiTokenDto } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const PRIVATE_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA-not-a-real-key\n-----END RSA PRIVATE KEY-----';

describe('secrets in audit arguments', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  it('should redact secrets at any depth and in any letter case, and keep everything else', async () => {
    const { id, headers } = tagged('redact-nested');
    const body = {
      username: 'redact-me',
      password: 'S1-top-level-password',
      Authorization: 'S2-bearer-value',
      profile: {
        Token: 'S3-token',
        New_Password: 'S4-new',
        history: [{ API_KEY: 'S5-api-key', note: 'kept' }, { passwd: 'S6-passwd', pw: 'S7-pw' }],
        client_secret: 'S8-secret',
        pem: PRIVATE_KEY,
      },
    };
    // Unknown fields fail validation (400), but the row is written before validation runs.
    const r = await admin.post('/api/users', body, headers);
    expect(r.status).toBe(400);
    const row = await db.rowOf(id);
    expect(row).toMatchObject({ action: 'user.create', result_code: 400 });
    expect(row.args_json).toEqual({
      params: {},
      query: {},
      body: {
        username: 'redact-me',
        password: '<redacted>',
        Authorization: '<redacted>',
        profile: {
          Token: '<redacted>',
          New_Password: '<redacted>',
          history: [{ API_KEY: '<redacted>', note: 'kept' }, { passwd: '<redacted>', pw: '<redacted>' }],
          client_secret: '<redacted>',
          pem: '<redacted>',
        },
      },
    });
    const text = JSON.stringify(row);
    for (let i = 1; i <= 8; i++) expect(text).not.toContain(`S${i}-`);
    expect(text).not.toContain('not-a-real-key');
  });

  it('should redact current_password and new_password of a password change', async () => {
    const { id, headers } = tagged('redact-change');
    await admin.post('/api/auth/change-password', { current_password: 'S9-wrong-current', new_password: 'S10-new-password' }, headers);
    const row = await db.rowOf(id);
    expect(row.args_json).toMatchObject({ body: { current_password: '<redacted>', new_password: '<redacted>' } });
    expect(JSON.stringify(row.args_json)).not.toMatch(/S9-|S10-/);
  });

  it('should redact secrets in the query string', async () => {
    const { id, headers } = tagged('redact-query');
    const r = await admin.get('/api/audit?token=S11-query-token&limit=1', headers);
    expect(r.status).toBe(400);
    const row = await db.rowOf(id);
    expect(row.args_json).toMatchObject({ query: { token: '<redacted>', limit: '1' } });
  });

  it('should never store a sign-in password, a reset password or a bearer token', async () => {
    const login = tagged('redact-login');
    await new ApiClient(api.url).post('/api/auth/login', { username: 'admin', password: 'S12-wrong-password' }, login.headers);
    expect(JSON.stringify(await db.rowOf(login.id))).not.toContain('S12-');

    const t = await admin.post<CreatedApiTokenDto>('/api/tokens', { name: 'redaction', permissions: ['manage:user:*'] });
    const bot = ApiClient.withToken(api.url, t.body.token);
    const create = tagged('redact-token-use');
    const created = await bot.post<{ id: string }>('/api/users', { username: 'by-token', password: 'S13-user-password' }, create.headers);
    expect(created.status).toBe(201);
    const reset = tagged('redact-reset');
    expect((await bot.post(`/api/users/${created.body.id}/password`, { password: 'S14-reset-password' }, reset.headers)).status).toBe(204);

    const rows = await db.query<{ t: string }>('SELECT row_to_json(a)::text AS t FROM audit_log a');
    const all = rows.map((x) => x.t).join('\n');
    expect(all).not.toMatch(/S1[2-4]-/);
    expect(all).not.toContain(t.body.token);
    // The random part after `syl_<prefix>_`, which may itself contain `_`.
    expect(all).not.toContain(t.body.token.slice(13));
  });
});
