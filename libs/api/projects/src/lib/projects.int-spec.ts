import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MeResponse, ProjectDto, ProjectMemberDto } from '@sylvite/contracts';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { ADMIN, Browser, createUsers, startApp } from './test-app';

describe('projects and memberships', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let admin: Browser;
  let ids: Record<string, string>;
  let dave: Browser;
  let alice: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startApp(db.url);
    admin = await Browser.signIn(app.getHttpServer(), ADMIN.username, ADMIN.password);
    ids = await createUsers(admin, ['dave', 'alice', 'bob']);
    dave = await Browser.signIn(app.getHttpServer(), 'dave');
    alice = await Browser.signIn(app.getHttpServer(), 'alice');
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const auditRows = async (action: string) =>
    (await app.get(DataSource).query(
      'SELECT user_id, action, resource, decision, result_code, project_ids FROM audit_log WHERE action = $1 ORDER BY id',
      [action],
    )) as { user_id: string; resource: string; decision: string; result_code: number; project_ids: string[] }[];

  describe('projects CRUD', () => {
    it('should create a project when a global admin posts a valid slug and patterns', async () => {
      const res = await admin.post('/api/projects', { slug: 'alpha', name: 'Alpha', minion_patterns: ['web*', 'db01'] });
      expect(res.status).toBe(201);
      expect(res.body as ProjectDto).toMatchObject({ slug: 'alpha', name: 'Alpha', minion_patterns: ['web*', 'db01'], archived_at: null });
      expect((await admin.post('/api/projects', { slug: 'beta', name: 'Beta', minion_patterns: ['mail*'] })).status).toBe(201);
      const rows = await auditRows('project.create');
      expect(rows.map((r) => [r.resource, r.decision, r.result_code])).toEqual([
        ['project:alpha', 'allow', 201],
        ['project:beta', 'allow', 201],
      ]);
      expect(rows[0].project_ids).toEqual([]);
    });

    it('should answer 409 when the slug is taken', async () => {
      const res = await admin.post('/api/projects', { slug: 'alpha', name: 'Again', minion_patterns: ['x'] });
      expect(res.status).toBe(409);
    });

    it.each([['Alpha'], ['-alpha'], ['al pha'], ['al_pha'], ['']])('should answer 400 when the slug is %p', async (slug) => {
      const res = await admin.post('/api/projects', { slug, name: 'X', minion_patterns: ['x'] });
      expect(res.status).toBe(400);
      expect((res.body as { message: string }).message).toContain('slug:');
    });

    it('should answer 400 when a pattern holds whitespace or there is none', async () => {
      expect((await admin.post('/api/projects', { slug: 'gamma', name: 'G', minion_patterns: ['web 01'] })).status).toBe(400);
      expect((await admin.post('/api/projects', { slug: 'gamma', name: 'G', minion_patterns: [] })).status).toBe(400);
    });

    it('should refuse project CRUD with 403 when the caller is not a global admin', async () => {
      expect((await alice.post('/api/projects', { slug: 'mine', name: 'M', minion_patterns: ['*'] })).status).toBe(403);
      expect((await alice.get('/api/projects')).status).toBe(403);
    });

    it('should update name and patterns when a global admin patches', async () => {
      const res = await admin.patch('/api/projects/beta', { name: 'Beta mail', minion_patterns: ['mail*', 'smtp*'] });
      expect(res.status).toBe(200);
      expect(res.body as ProjectDto).toMatchObject({ name: 'Beta mail', minion_patterns: ['mail*', 'smtp*'] });
      expect((await auditRows('project.update')).map((r) => r.resource)).toEqual(['project:beta']);
      expect((await admin.patch('/api/projects/nope', { name: 'x' })).status).toBe(404);
    });

    it('should list projects when a global admin asks', async () => {
      const res = await admin.get('/api/projects');
      expect(res.status).toBe(200);
      expect((res.body as ProjectDto[]).map((p) => p.slug)).toEqual(['alpha', 'beta']);
    });
  });

  describe('members', () => {
    it('should add a member by username or id when a global admin posts', async () => {
      const a = await admin.post('/api/projects/alpha/members', { username: 'dave', role: 'admin' });
      expect(a.status).toBe(201);
      expect(a.body as ProjectMemberDto).toMatchObject({ user_id: ids['dave'], username: 'dave', role: 'admin' });
      const b = await admin.post('/api/projects/beta/members', { user_id: ids['bob'], role: 'admin' });
      expect(b.status).toBe(201);
      expect((await admin.post('/api/projects/alpha/members', { username: 'dave', role: 'viewer' })).status).toBe(409);
      expect((await admin.post('/api/projects/alpha/members', { username: 'nobody', role: 'viewer' })).status).toBe(404);
      expect((await admin.post('/api/projects/alpha/members', { username: 'alice', role: 'owner' })).status).toBe(400);
      expect((await admin.post('/api/projects/alpha/members', { role: 'viewer' })).status).toBe(400);
    });

    it('should let a project admin add, change and remove members of that project', async () => {
      const add = await dave.post('/api/projects/alpha/members', { username: 'alice', role: 'viewer' });
      expect(add.status).toBe(201);
      const up = await dave.patch(`/api/projects/alpha/members/${ids['alice']}`, { role: 'operator' });
      expect(up.status).toBe(200);
      expect((up.body as ProjectMemberDto).role).toBe('operator');
      const list = await dave.get('/api/projects/alpha/members');
      expect(list.status).toBe(200);
      expect((list.body as ProjectMemberDto[]).map((m) => [m.username, m.role])).toEqual([['alice', 'operator'], ['dave', 'admin']]);
      expect((await dave.get('/api/projects/alpha')).status).toBe(200);
    });

    it('should refuse a project admin with 403 on another project or on project-wide changes', async () => {
      expect((await dave.post('/api/projects/beta/members', { username: 'alice', role: 'viewer' })).status).toBe(403);
      expect((await dave.get('/api/projects/beta/members')).status).toBe(403);
      expect((await dave.patch('/api/projects/alpha', { minion_patterns: ['*'] })).status).toBe(403);
      expect((await dave.post('/api/projects/alpha/archive')).status).toBe(403);
      expect((await dave.get('/api/projects')).status).toBe(403);
      expect((await dave.get('/api/audit')).status).toBe(403);
    });

    it('should refuse member management with 403 when the caller is a member below admin', async () => {
      expect((await alice.post('/api/projects/alpha/members', { username: 'bob', role: 'viewer' })).status).toBe(403);
      expect((await alice.delete(`/api/projects/alpha/members/${ids['dave']}`)).status).toBe(403);
    });

    it('should answer 409 when the last project admin would be demoted or removed', async () => {
      const demote = await dave.patch(`/api/projects/alpha/members/${ids['dave']}`, { role: 'operator' });
      expect(demote.status).toBe(409);
      expect((await dave.delete(`/api/projects/alpha/members/${ids['dave']}`)).status).toBe(409);
      expect((await admin.delete(`/api/projects/alpha/members/${ids['dave']}`)).status).toBe(409);
    });

    it('should allow the demotion when another admin remains', async () => {
      expect((await dave.patch(`/api/projects/alpha/members/${ids['alice']}`, { role: 'admin' })).status).toBe(200);
      expect((await dave.patch(`/api/projects/alpha/members/${ids['dave']}`, { role: 'operator' })).status).toBe(200);
      // dave is no project admin any more: his grants changed on the very next request.
      expect((await dave.get('/api/projects/alpha/members')).status).toBe(403);
      expect((await alice.patch(`/api/projects/alpha/members/${ids['dave']}`, { role: 'admin' })).status).toBe(200);
      expect((await alice.patch(`/api/projects/alpha/members/${ids['alice']}`, { role: 'operator' })).status).toBe(200);
    });

    it('should remove a member and answer 404 for a user who is not one', async () => {
      expect((await dave.delete(`/api/projects/alpha/members/${ids['alice']}`)).status).toBe(204);
      expect((await dave.delete(`/api/projects/alpha/members/${ids['alice']}`)).status).toBe(404);
      expect((await dave.post('/api/projects/alpha/members', { username: 'alice', role: 'operator' })).status).toBe(201);
    });

    it('should audit every membership change with its action', async () => {
      const grant = await auditRows('membership.grant');
      const update = await auditRows('membership.update');
      const revoke = await auditRows('membership.revoke');
      expect(grant.filter((r) => r.decision === 'allow' && r.result_code === 201).map((r) => r.resource)).toEqual([
        'project:alpha', 'project:beta', 'project:alpha', 'project:alpha',
      ]);
      expect(grant.some((r) => r.decision === 'deny' && r.result_code === 403)).toBe(true);
      expect(update.filter((r) => r.result_code === 200)).toHaveLength(5);
      expect(update.some((r) => r.result_code === 409)).toBe(true);
      expect(revoke.filter((r) => r.result_code === 204).map((r) => r.user_id)).toEqual([ids['dave']]);
    });
  });

  describe('grants and /api/auth/me', () => {
    it('should list the caller memberships and the grants they give when /me is read', async () => {
      const res = await alice.get('/api/auth/me');
      expect(res.status).toBe(200);
      const me = res.body as MeResponse;
      const alpha = ((await admin.get('/api/projects/alpha')).body as ProjectDto).id;
      expect(me.memberships).toEqual([{ project_id: alpha, project_slug: 'alpha', project_name: 'Alpha', role: 'operator' }]);
      expect(me.permissions).toEqual(expect.arrayContaining(['run:job:web*', 'run:job:db01', 'manage:key:web*', 'view:minion:db01']));
      expect(me.permissions.some((p) => p.includes('mail') || p.startsWith('view:audit'))).toBe(false);
    });

    it('should list memberships in the login answer too', async () => {
      const res = await Browser.signIn(app.getHttpServer(), 'bob');
      const me = (await res.get('/api/auth/me')).body as MeResponse;
      expect(me.memberships.map((m) => [m.project_slug, m.role])).toEqual([['beta', 'admin']]);
      expect(me.permissions).toEqual(expect.arrayContaining(['view:audit:beta', 'manage:project:beta', 'view:job:smtp*']));
    });

    it('should list no membership when the user has none', async () => {
      const me = (await admin.get('/api/auth/me')).body as MeResponse;
      expect(me.memberships).toEqual([]);
    });
  });

  describe('archiving', () => {
    it('should archive, keep the audit rows, and stop the grants when a global admin archives', async () => {
      const ds = app.get(DataSource);
      const beta = ((await admin.get('/api/projects/beta')).body as ProjectDto).id;
      await ds.query(
        `INSERT INTO audit_log (user_id, action, resource, decision, result_code, project_ids)
         VALUES ($1, 'key.accept', 'key:mail01', 'allow', 200, ARRAY[$2]::uuid[])`,
        [ids['bob'], beta],
      );
      const res = await admin.post('/api/projects/beta/archive');
      expect(res.status).toBe(200);
      expect((res.body as ProjectDto).archived_at).not.toBeNull();
      expect((await admin.post('/api/projects/beta/archive')).status).toBe(409);
      expect((await admin.patch('/api/projects/beta', { name: 'x' })).status).toBe(409);
      expect((await auditRows('project.archive')).filter((r) => r.decision === 'allow').map((r) => [r.resource, r.result_code])).toEqual([
        ['project:beta', 200], ['project:beta', 409],
      ]);
      const kept = await admin.get('/api/v1/activity?project_slug=beta');
      expect((kept.body as { items: { action: string; project_slug: string }[] }).items).toEqual([
        expect.objectContaining({ action: 'key.accept', project_slug: 'beta' }),
      ]);
      const bob = await Browser.signIn(app.getHttpServer(), 'bob');
      const me = (await bob.get('/api/auth/me')).body as MeResponse;
      expect(me.memberships).toEqual([]);
      expect(me.permissions).toEqual(['view:audit:beta']);
      // The history stays readable to its members: the timeline and, for its admins, its audit page.
      const feed = (await bob.get('/api/v1/activity?project_slug=beta')).body as { items: { action: string }[] };
      expect(feed.items.map((i) => i.action)).toEqual(['key.accept']);
      expect((await bob.get('/api/v1/projects/beta/audit')).status).toBe(200);
      expect((await bob.post('/api/projects/beta/members', { username: 'alice', role: 'viewer' })).status).toBe(403);
      expect(((await admin.get('/api/projects')).body as ProjectDto[]).map((p) => p.slug)).toEqual(['alpha']);
      expect(((await admin.get('/api/projects?include_archived=true')).body as ProjectDto[]).map((p) => p.slug)).toEqual(['alpha', 'beta']);
    });
  });
});
