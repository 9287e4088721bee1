/** Integration-test helpers (excluded from the library build, like every `test-app.ts`). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { BadRequestException, Module, ValidationPipe, type DynamicModule, type INestApplication } from '@nestjs/common';
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
import { SaltStreamModule } from './salt-stream.module';

export const ADMIN = { username: 'admin', password: 'admin-password-123' };

/**
 * The api as apps/api composes it, limited to what the Salt stream and Settings touch (a library
 * must not import the app). Global guard, audit interceptor, error envelope and a whitelisting
 * validation pipe are wired the same way.
 */
@Module({})
class StreamTestAppModule {
  static register(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: StreamTestAppModule,
      global: true,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, [])), ScheduleModule.forRoot(), SettingsModule, AuditModule, AuthModule, SaltStreamModule],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            exceptionFactory: (errors) => new BadRequestException(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ')),
          }),
        },
        { provide: APP_GUARD, useClass: PolicyGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [APP_CONFIG],
    };
  }
}

/** The api in-process with the bootstrap admin; `env` adds SALT_API_* / SYLVITE_EVENT_STREAM. */
export async function startApp(databaseUrl: string, env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig({
    SYLVITE_SECRET: 'x'.repeat(40),
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    SYLVITE_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
    SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [StreamTestAppModule.register(config, databaseUrl)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.use(cookieParser());
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();
  await app.init();
  return app;
}

/** A signed-in browser: the session cookie, and the XSRF token echoed on mutations. */
export class Browser {
  constructor(readonly server: App, private readonly cookies: string[], private readonly xsrf: string) {}

  static async signIn(server: App, username = ADMIN.username, password = ADMIN.password): Promise<Browser> {
    const res = await request(server).post('/api/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login as ${username}: ${res.status} ${res.text}`);
    const cookies = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]);
    const xsrf = decodeURIComponent(cookies.find((c) => c.startsWith('XSRF-TOKEN='))?.slice('XSRF-TOKEN='.length) ?? '');
    return new Browser(server, cookies, xsrf);
  }

  get(path: string) {
    return request(this.server).get(path).set('Cookie', this.cookies);
  }
  post(path: string, body: object = {}) {
    return request(this.server).post(path).set('Cookie', this.cookies).set('X-XSRF-TOKEN', this.xsrf).send(body);
  }
  put(path: string, body: object = {}) {
    return request(this.server).put(path).set('Cookie', this.cookies).set('X-XSRF-TOKEN', this.xsrf).send(body);
  }
  patch(path: string, body: object = {}) {
    return request(this.server).patch(path).set('Cookie', this.cookies).set('X-XSRF-TOKEN', this.xsrf).send(body);
  }
}

const ROOT = resolve(__dirname, '../../../../..');
const SIM = resolve(ROOT, 'dist/apps/salt-sim/main.js');

/** A salt-sim child process (the built simulator; built here when missing). */
export class Sim {
  private proc: ChildProcess | null = null;
  url = '';
  port = 0;

  constructor(private readonly args: string[] = []) {}

  async start(port = 0): Promise<void> {
    const proc = spawn(process.execPath, [SIM, '--port', String(port), '--user', 'saltapi', '--password', 'pw', '--no-life', '--quiet', ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('salt-sim did not start')), 15_000);
      proc.once('exit', (code) => rej(new Error(`salt-sim exited (${code})`)));
      for (const s of [proc.stdout, proc.stderr]) {
        if (!s) continue;
        createInterface({ input: s }).on('line', (line) => {
          const m = /listening on (http\S+)/.exec(line);
          if (m) {
            clearTimeout(timer);
            res(m[1]);
          }
        });
      }
    });
    this.port = Number(new URL(this.url).port);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGKILL');
    });
  }

  async control<T = unknown>(path: string, body: unknown = {}): Promise<T> {
    const res = await fetch(`${this.url}/_sim/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`/_sim/${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async counters(): Promise<{ events: { byKind: Record<string, number> }; streams: { open: number } }> {
    return (await (await fetch(`${this.url}/_sim/counters`)).json()) as never;
  }
}

/** The connector tests run the built simulator; a fresh checkout builds it once. */
export function ensureSimBuilt(): void {
  if (existsSync(SIM)) return;
  const r = spawnSync(process.execPath, [require.resolve('nx/bin/nx'), 'build', 'salt-sim', '--output-style=static'], {
    cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'inherit',
  });
  if (r.status !== 0 || !existsSync(SIM)) throw new Error('could not build salt-sim');
}
