/** Integration-test helpers (excluded from the library build, like every `test-app.ts`). */
import { BadRequestException, Module, ValidationPipe, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import cookieParser from 'cookie-parser';
import request from 'supertest';
import type { App } from 'supertest/types';
import { APP_CONFIG, ErrorEnvelopeFilter, loadConfig, type AppConfig } from '@sylvite/api-core';
import { AuditInterceptor, AuditModule } from '@sylvite/api-audit';
import { AuthModule, PolicyGuard } from '@sylvite/api-auth';
import { dataSourceOptions } from '@sylvite/api-database';
import { SettingsModule } from '@sylvite/api-settings';
import { ProjectsModule } from './projects.module';

export const ADMIN = { username: 'admin', password: 'admin-password-123' };
export const PASSWORD = 'member-password-123';

/**
 * The api as apps/api composes it, minus the parts this library does not touch (Salt, activity,
 * health, logging). A library must not import the app (the app imports every library: a cycle),
 * so the global pieces are wired here the same way: guard, audit interceptor, error envelope, and a
 * whitelisting validation pipe. All SQL is raw, so no entity list is needed at run time.
 */
@Module({})
class ProjectsTestAppModule {
  static register(config: AppConfig, databaseUrl: string, controllers: Type[]): DynamicModule {
    return {
      module: ProjectsTestAppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, [])),
        ScheduleModule.forRoot(),
        SettingsModule,
        AuditModule,
        AuthModule,
        ProjectsModule,
      ],
      controllers,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            exceptionFactory: (errors) =>
              new BadRequestException(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ')),
          }),
        },
        { provide: APP_GUARD, useClass: PolicyGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [APP_CONFIG],
    };
  }
}

/** The api in-process with the bootstrap admin, plus any test-only controllers. */
export async function startApp(databaseUrl: string, controllers: Type[] = []): Promise<INestApplication> {
  const config = loadConfig({
    SYLVITE_SECRET: 'x'.repeat(40),
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    SYLVITE_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
    SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  });
  const moduleRef = await Test.createTestingModule({ imports: [ProjectsTestAppModule.register(config, databaseUrl, controllers)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.use(cookieParser());
  app.setGlobalPrefix('api');
  await app.init();
  return app;
}

/** A signed-in browser: the session cookie, and the XSRF token echoed on mutations. */
export class Browser {
  constructor(readonly server: App, private readonly cookies: string[], private readonly xsrf: string, readonly userId: string) {}

  static async signIn(server: App, username: string, password = PASSWORD): Promise<Browser> {
    const res = await request(server).post('/api/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login as ${username}: ${res.status} ${res.text}`);
    const setCookie = res.headers['set-cookie'] as unknown as string[];
    const cookies = setCookie.map((c) => c.split(';')[0]);
    const xsrf = decodeURIComponent(cookies.find((c) => c.startsWith('XSRF-TOKEN='))?.slice('XSRF-TOKEN='.length) ?? '');
    return new Browser(server, cookies, xsrf, (res.body as { user: { id: string } }).user.id);
  }

  get(path: string) {
    return request(this.server).get(path).set('Cookie', this.cookies);
  }
  post(path: string, body: object = {}) {
    return request(this.server).post(path).set('Cookie', this.cookies).set('X-XSRF-TOKEN', this.xsrf).send(body);
  }
  patch(path: string, body: object = {}) {
    return request(this.server).patch(path).set('Cookie', this.cookies).set('X-XSRF-TOKEN', this.xsrf).send(body);
  }
  delete(path: string) {
    return request(this.server).delete(path).set('Cookie', this.cookies).set('X-XSRF-TOKEN', this.xsrf);
  }
}

/** Creates plain users (no role) through the admin API; returns their ids by name. */
export async function createUsers(admin: Browser, names: string[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const username of names) {
    const res = await admin.post('/api/users', { username, password: PASSWORD, roles: [] });
    if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${res.text}`);
    ids[username] = (res.body as { id: string }).id;
  }
  return ids;
}

export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
