import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import cookieParser from 'cookie-parser';
import { loadConfig, type AppConfig } from '@sylvite/api-core';
import { AppModule } from './app.module';
import { SharedShapeExpressAdapter } from './http-adapter';

/** The whole api in-process on a test database, for integration tests that need routes. */
export async function createTestApp(databaseUrl: string, env: Record<string, string> = {}): Promise<{ app: INestApplication; config: AppConfig }> {
  const config = loadConfig({ SYLVITE_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config, databaseUrl)] }).compile();
  const app = moduleRef.createNestApplication(new SharedShapeExpressAdapter(), { logger: false });
  app.use(cookieParser());
  app.setGlobalPrefix('api');
  await app.init();
  return { app, config };
}
