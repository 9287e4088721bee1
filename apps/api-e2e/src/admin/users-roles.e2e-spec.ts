import type { MeResponse, RoleDto, UserDto } from '@sylvite/contracts';
import { AuditDb, tagged } from '../support/audit-db';
import { ApiClient } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const PASSWORD = 'long-enough-password';

describe('users and roles administration', () => {
  let api: Api;
  let db: AuditDb;
  let admin: ApiClient;
  let adminId: string;

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    adminId = (await db.userId('admin')) ?? '';
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  async function createUser(username: string, roles: string[] = []): Promise<UserDto> {
    const r = await admin.post<UserDto>('/api/users', { username, password: PASSWORD, roles });
    if (r.status !== 201) throw new Error(`create ${username}: ${r.status} ${r.text}`);
    return r.body;
  }

  describe('users', () => {
    it('should create a user with roles and audit user.create with the password redacted', async () => {
      const { id, headers } = tagged('user-create');
      const r = await admin.post<UserDto>('/api/users', { username: 'Erin', password: PASSWORD, display_name: 'Erin E.', roles: ['viewer', 'auditor'] }, headers);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ username: 'Erin', display_name: 'Erin E.', roles: ['auditor', 'viewer'], disabled: false, last_login_at: null });
      const row = await db.rowOf(id);
      expect(row).toMatchObject({ action: 'user.create', decision: 'allow', result_code: 201, user_id: adminId, resource: 'user:Erin' });
      expect(row.args_json).toMatchObject({ body: { username: 'Erin', password: '<redacted>' } });
      expect((await admin.get<UserDto>(`/api/users/${r.body.id}`)).body.username).toBe('Erin');
      const list = await admin.get<UserDto[]>('/api/users');
      expect(list.body.map((u) => u.username)).toContain('Erin');
      expect(list.text).not.toMatch(/password|hash/i);
    });

    it('should refuse a username that differs only in letter case with 409', async () => {
      const r = await admin.post<{ message: string }>('/api/users', { username: 'ERIN', password: PASSWORD });
      expect(r.status).toBe(409);
      expect(r.body.message).toMatch(/^username:/);
    });

    it('should refuse bad input with 400 naming the field', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ username: 'has space', password: PASSWORD }, /^username:/],
        [{ username: 'ok-name', password: 'short' }, /^password:/],
        [{ username: 'ok-name', password: PASSWORD, roles: 'admin' }, /\broles\b/],
        [{ username: 'ok-name', password: PASSWORD, is_admin: true }, /is_admin/],
      ];
      for (const [body, re] of cases) {
        const r = await admin.post<{ message: string }>('/api/users', body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
        expect(r.body.message).toMatch(re);
      }
      expect((await admin.get('/api/users/not-a-uuid')).status).toBe(400);
    });

    it('should create nothing when one of the roles does not exist', async () => {
      const r = await admin.post<{ message: string }>('/api/users', { username: 'half-made', password: PASSWORD, roles: ['viewer', 'wizard'] });
      expect(r.status).toBe(404);
      expect(r.body.message).toMatch(/^role:/);
      expect(await db.userId('half-made')).toBeNull();
    });

    it('should disable a user, ending their sessions and refusing their sign-in, and enable them again', async () => {
      const u = await createUser('frank', ['viewer']);
      const frank = await ApiClient.signedIn(api.url, 'frank', PASSWORD);
      const { id, headers } = tagged('user-disable');
      const r = await admin.patch<UserDto>(`/api/users/${u.id}`, { disabled: true, display_name: 'Frank' }, headers);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ disabled: true, display_name: 'Frank' });
      expect((await frank.get('/api/auth/me')).status).toBe(401);
      expect((await new ApiClient(api.url).post('/api/auth/login', { username: 'frank', password: PASSWORD })).status).toBe(401);
      expect(await db.rowOf(id)).toMatchObject({ action: 'user.update', decision: 'allow', result_code: 200, resource: `user:${u.id}` });

      expect((await admin.patch(`/api/users/${u.id}`, { disabled: false })).status).toBe(200);
      expect((await new ApiClient(api.url).post('/api/auth/login', { username: 'frank', password: PASSWORD })).status).toBe(200);
      expect((await admin.patch<{ message: string }>(`/api/users/${u.id}`, { disabled: 'yes' })).status).toBe(400);
    });

    it('should reset a password, ending the user\'s sessions, and audit it redacted', async () => {
      const u = await createUser('gina');
      const gina = await ApiClient.signedIn(api.url, 'gina', PASSWORD);
      const { id, headers } = tagged('user-reset');
      expect((await admin.post(`/api/users/${u.id}/password`, { password: 'a-reset-password' }, headers)).status).toBe(204);
      expect((await gina.get('/api/auth/me')).status).toBe(401);
      expect((await new ApiClient(api.url).post('/api/auth/login', { username: 'gina', password: PASSWORD })).status).toBe(401);
      expect((await new ApiClient(api.url).post('/api/auth/login', { username: 'gina', password: 'a-reset-password' })).status).toBe(200);
      const row = await db.rowOf(id);
      expect(row).toMatchObject({ action: 'user.password_reset', result_code: 204 });
      expect(row.args_json).toMatchObject({ body: { password: '<redacted>' } });
    });

    it('should add and remove roles, each audited, and the grants follow at once', async () => {
      const u = await createUser('hank');
      const hank = await ApiClient.signedIn(api.url, 'hank', PASSWORD);
      expect((await hank.get('/api/audit?limit=1')).status).toBe(403);

      const add = tagged('role-add');
      const added = await admin.post<UserDto>(`/api/users/${u.id}/roles`, { role: 'Auditor' }, add.headers);
      expect(added.status).toBe(201);
      expect(added.body.roles).toEqual(['auditor']);
      expect((await hank.get('/api/audit?limit=1')).status).toBe(200);
      expect(await db.rowOf(add.id)).toMatchObject({ action: 'user.role_add', decision: 'allow', result_code: 201 });

      const remove = tagged('role-remove');
      const removed = await admin.delete<UserDto>(`/api/users/${u.id}/roles/auditor`, remove.headers);
      expect(removed.status).toBe(200);
      expect(removed.body.roles).toEqual([]);
      expect((await hank.get('/api/audit?limit=1')).status).toBe(403);
      expect(await db.rowOf(remove.id)).toMatchObject({ action: 'user.role_remove', decision: 'allow', result_code: 200 });

      expect((await admin.delete(`/api/users/${u.id}/roles/auditor`)).status).toBe(404);
      expect((await admin.post(`/api/users/${u.id}/roles`, { role: 'wizard' })).status).toBe(404);
    });

    it('should delete a user with their sessions and audit user.delete', async () => {
      const u = await createUser('ivan', ['viewer']);
      const ivan = await ApiClient.signedIn(api.url, 'ivan', PASSWORD);
      const { id, headers } = tagged('user-delete');
      expect((await admin.delete(`/api/users/${u.id}`, headers)).status).toBe(204);
      expect((await admin.get(`/api/users/${u.id}`)).status).toBe(404);
      expect((await ivan.get('/api/auth/me')).status).toBe(401);
      expect(await db.rowOf(id)).toMatchObject({ action: 'user.delete', decision: 'allow', result_code: 204, resource: `user:${u.id}` });
      expect((await admin.delete(`/api/users/${u.id}`)).status).toBe(404);
    });
  });

  describe('the last admin', () => {
    it('should refuse to delete, disable or demote the last enabled admin with 409 and change nothing', async () => {
      const { id, headers } = tagged('last-admin');
      expect((await admin.delete(`/api/users/${adminId}`, headers)).status).toBe(409);
      expect((await admin.patch(`/api/users/${adminId}`, { disabled: true })).status).toBe(409);
      expect((await admin.delete(`/api/users/${adminId}/roles/admin`)).status).toBe(409);
      const me = await admin.get<MeResponse>('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ roles: ['admin'], disabled: false });
      expect(await db.rowOf(id)).toMatchObject({ action: 'user.delete', result_code: 409 });
    });

    it('should not count a disabled admin as another admin', async () => {
      const other = await createUser('spare-admin', ['admin']);
      expect((await admin.patch(`/api/users/${other.id}`, { disabled: true })).status).toBe(200);
      expect((await admin.delete(`/api/users/${adminId}/roles/admin`)).status).toBe(409);
      expect((await admin.patch(`/api/users/${other.id}`, { disabled: false })).status).toBe(200);
      // With a second enabled admin, either may step down, but then the other is the last one.
      expect((await admin.delete(`/api/users/${other.id}/roles/admin`)).status).toBe(200);
      expect((await admin.delete(`/api/users/${adminId}/roles/admin`)).status).toBe(409);
      expect((await admin.delete(`/api/users/${other.id}`)).status).toBe(204);
    });
  });

  describe('roles', () => {
    it('should list the built-in roles, marked built in', async () => {
      const r = await admin.get<RoleDto[]>('/api/roles');
      expect(r.status).toBe(200);
      const builtin = r.body.filter((x) => x.builtin).map((x) => x.name).sort();
      expect(builtin).toEqual(['admin', 'auditor', 'operator', 'viewer']);
      expect(r.body.find((x) => x.name === 'admin')?.permissions).toEqual(['*:*:*']);
    });

    it('should create, update and delete a custom role, each audited, with grants following at once', async () => {
      const create = tagged('role-create');
      const created = await admin.post<RoleDto>('/api/roles', { name: 'user-readers', description: 'read users', permissions: ['view:user:*'] }, create.headers);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'user-readers', permissions: ['view:user:*'], builtin: false });
      expect(await db.rowOf(create.id)).toMatchObject({ action: 'role.create', decision: 'allow', result_code: 201, resource: 'role:user-readers' });
      expect((await admin.post('/api/roles', { name: 'user-readers', permissions: [] })).status).toBe(409);

      await createUser('jill', ['user-readers']);
      const jill = await ApiClient.signedIn(api.url, 'jill', PASSWORD);
      expect((await jill.get('/api/users')).status).toBe(200);
      expect((await jill.get('/api/roles')).status).toBe(403);

      const update = tagged('role-update');
      const updated = await admin.patch<RoleDto>('/api/roles/User-Readers', { permissions: ['view:role:*'] }, update.headers);
      expect(updated.status).toBe(200);
      expect(updated.body.permissions).toEqual(['view:role:*']);
      expect((await jill.get('/api/users')).status).toBe(403);
      expect((await jill.get('/api/roles')).status).toBe(200);
      expect(await db.rowOf(update.id)).toMatchObject({ action: 'role.update', result_code: 200, resource: 'role:User-Readers' });

      const del = tagged('role-delete');
      expect((await admin.delete('/api/roles/user-readers', del.headers)).status).toBe(204);
      expect((await jill.get('/api/roles')).status).toBe(403);
      expect((await admin.get<UserDto[]>('/api/users')).body.find((u) => u.username === 'jill')?.roles).toEqual([]);
      expect(await db.rowOf(del.id)).toMatchObject({ action: 'role.delete', result_code: 204 });
      expect((await admin.delete('/api/roles/user-readers')).status).toBe(404);
    });

    it('should refuse bad role input with 400 naming the field', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ name: 'Has Caps', permissions: [] }, /^name:/],
        [{ name: 'ok', permissions: ['fly:plane:*'] }, /^permissions:/],
        [{ name: 'ok', permissions: ['view:audit'] }, /^permissions:/],
        [{ name: 'ok' }, /^permissions:/],
      ];
      for (const [body, re] of cases) {
        const r = await admin.post<{ message: string }>('/api/roles', body);
        expect({ body, status: r.status }).toEqual({ body, status: 400 });
        expect(r.body.message).toMatch(re);
      }
    });

    it('should refuse to change or delete a built-in role with 409', async () => {
      expect((await admin.patch('/api/roles/viewer', { permissions: ['*:*:*'] })).status).toBe(409);
      expect((await admin.delete('/api/roles/viewer')).status).toBe(409);
      expect((await admin.delete('/api/roles/ADMIN')).status).toBe(409);
      const roles = (await admin.get<RoleDto[]>('/api/roles')).body;
      expect(roles.find((x) => x.name === 'viewer')?.permissions).toEqual(['view:job:*', 'view:key:*', 'view:minion:*']);
      expect(roles.some((x) => x.name === 'admin')).toBe(true);
    });
  });
});
