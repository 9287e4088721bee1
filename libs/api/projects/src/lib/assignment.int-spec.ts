import { Body, Controller, Get, Post, Query, type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import type { ProjectDto } from '@sylvite/contracts';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { ADMIN, Browser, createUsers, eventually, startApp } from './test-app';

/** Stands in for the operations routes: it reports the minions it "touched" as they will. */
@Controller('probe')
class ProbeController {
  @Post('touch')
  @RequirePerm('view:minion', { action: 'probe.touch' })
  touch(@Body() body: Record<string, unknown>, @Ctx() ctx: RequestContext): { ok: true } {
    ctx.minions = body['minions'] as string[];
    return { ok: true };
  }

  @Get('touch')
  @RequirePerm('view:minion', { action: 'probe.read' })
  read(@Query('minions') minions: string, @Ctx() ctx: RequestContext): { ok: true } {
    ctx.minions = minions.split(',');
    return { ok: true };
  }
}

describe('the project of each audit row', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let ds: DataSource;
  let admin: Browser;
  const projects: Record<string, string> = {};

  const projectOf = async (action: string, marker: string) => {
    const rows: { project_ids: string[] }[] = await ds.query(
      `SELECT project_ids FROM audit_log WHERE action = $1 AND args_json::text LIKE $2 ORDER BY id DESC LIMIT 1`,
      [action, `%${marker}%`],
    );
    return rows[0]?.project_ids;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startApp(db.url, [ProbeController]);
    ds = app.get(DataSource);
    admin = await Browser.signIn(app.getHttpServer(), ADMIN.username, ADMIN.password);
    for (const [slug, patterns] of [['web', ['web*']], ['db', ['db01', 'db02']], ['eu', ['*-eu']]] as const) {
      const res = await admin.post('/api/projects', { slug, name: slug, minion_patterns: patterns });
      projects[slug] = (res.body as ProjectDto).id;
    }
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it.each([
    ['one project matches every minion', ['web01', 'web02'], 'web'],
    ['a listed minion of one project', ['db02'], 'db'],
    ['the minions span two projects', ['web01', 'db01'], null],
    ['two projects match every minion', ['web01-eu'], null],
    ['no project matches', ['mail01'], null],
    ['no minion was touched', [], null],
  ])('should assign a mutating row correctly when %s', async (_case, minions, slug) => {
    const marker = `m-${Math.random().toString(36).slice(2)}`;
    const res = await admin.post('/api/probe/touch', { minions, marker });
    expect(res.status).toBe(201);
    expect(await projectOf('probe.touch', marker)).toEqual(slug ? [projects[slug]] : []);
  });

  it('should assign a recorded read when audit_reads is on', async () => {
    await ds.query(`INSERT INTO settings (key, value) VALUES ('audit_reads', 'true') ON CONFLICT (key) DO UPDATE SET value = 'true'`);
    const marker = `r-${Math.random().toString(36).slice(2)}`;
    // The setting is cached for a second: ask until a read is recorded.
    const ids = await eventually(async () => {
      await admin.get('/api/probe/touch').query({ minions: 'web07', marker });
      return projectOf('probe.read', marker);
    });
    expect(ids).toEqual([projects['web']]);
  });

  it('should keep rows without minions fleet-wide: logins, denials, project changes', async () => {
    await createUsers(admin, ['nobody']);
    const someone = await Browser.signIn(app.getHttpServer(), 'nobody');
    expect((await someone.post('/api/probe/touch', { minions: ['web01'] })).status).toBe(403);
    const rows: { action: string; project_ids: string[] }[] = await eventually(async () => {
      const r: { action: string; project_ids: string[] }[] = await ds.query(
        `SELECT action, project_ids FROM audit_log WHERE action IN ('auth.login', 'probe.touch', 'project.create') AND (decision = 'deny' OR action <> 'probe.touch')`,
      );
      return r.some((x) => x.action === 'probe.touch') ? r : null;
    });
    expect(rows.length).toBeGreaterThan(4);
    expect(rows.every((r) => r.project_ids.length === 0)).toBe(true);
  });

  it('should stop assigning rows to a project once it is archived', async () => {
    expect((await admin.post('/api/projects/db/archive')).status).toBe(200);
    const marker = `a-${Math.random().toString(36).slice(2)}`;
    await admin.post('/api/probe/touch', { minions: ['db01'], marker });
    expect(await projectOf('probe.touch', marker)).toEqual([]);
  });
});
