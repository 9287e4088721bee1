import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_CONFIG, ErrorEnvelopeFilter, type AppConfig } from '@sylvite/api-core';
import { ActivityModule } from '@sylvite/api-activity';
import { AuditInterceptor, AuditModule } from '@sylvite/api-audit';
import { AuthModule, PolicyGuard } from '@sylvite/api-auth';
import { dataSourceOptions } from '@sylvite/api-database';
import { ProjectsModule } from '@sylvite/api-projects';
import { SaltModule } from '@sylvite/api-salt';
import { SaltStreamModule } from '@sylvite/api-salt-stream';
import { SettingsModule } from '@sylvite/api-settings';
import { ENTITIES } from './entities';
import { HealthController } from './health.controller';
import { validationPipe } from './validation';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is sane, else a new UUID; echoed on the response. */
function assignId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  req.id = id;
  return id;
}

/** Express middleware run before the body parser, so every answer carries the request id. */
export function assignRequestId(req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void): void {
  assignId(req, res);
  next();
}

@Module({})
export class AppModule {
  static register(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req: IncomingMessage, res: ServerResponse) => (req.id ? String(req.id) : assignId(req, res)),
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-xsrf-token"]', 'res.headers["set-cookie"]'],
              censor: '<redacted>',
            },
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/api/health' },
            serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.replace(/([?&](token|salt_token)=)[^&]*/gi, '$1<redacted>') }) },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, ENTITIES)),
        ScheduleModule.forRoot(),
        TerminusModule,
        SettingsModule,
        AuditModule,
        AuthModule,
        ActivityModule,
        SaltStreamModule,
        ProjectsModule,
        SaltModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        { provide: APP_PIPE, useValue: validationPipe() },
        { provide: APP_GUARD, useClass: PolicyGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [APP_CONFIG],
      global: true,
    };
  }
}
