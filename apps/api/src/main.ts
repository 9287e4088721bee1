import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@sylvite/api-core';
import { AppModule, assignRequestId } from './app/app.module';
import { prepareDatabase } from './app/database';
import { SharedShapeExpressAdapter } from './app/http-adapter';

async function bootstrap(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sylvite: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const db = await prepareDatabase(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, db.url), new SharedShapeExpressAdapter(), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  // The request id first, so even a body the parser refuses is answered with X-Request-Id.
  app.use(assignRequestId);
  // Prometheus scrapes `/metrics` by convention; it is the same endpoint as `/api/metrics`.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.path === '/metrics') req.url = '/api' + req.url;
    next();
  });
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  app.use(cookieParser());
  app.setGlobalPrefix('api');

  const docs = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Sylvite').setDescription('Salt activity and audit console API').addBearerAuth().addCookieAuth('sylvite_session').build(),
  );
  SwaggerModule.setup('api/docs', app, docs);
  serveConsole(app);

  await app.listen(config.http.port, config.http.host);
  const logger = new Logger('Sylvite');
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
  logger.log(`Sylvite is running on http://${config.http.host}:${port}`);

  // app.close() runs every shutdown hook (the audit writer flushes, pools close); then the
  // embedded PostgreSQL stops, after its last client.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await app.close();
      await db.embedded?.stop();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

/** The built Angular console at `/`, with the SPA fallback for its routes. */
function serveConsole(app: NestExpressApplication): void {
  const dir = process.env['SYLVITE_WEB_DIR'] ?? resolve(__dirname, '../web/browser');
  if (!existsSync(join(dir, 'index.html'))) {
    new Logger('Sylvite').warn(`console bundle not found in ${dir}; build it with "npx nx build web"`);
    return;
  }
  app.useStaticAssets(dir, { index: false, maxAge: '1h', setHeaders: (res, path) => {
    if (path.endsWith('index.html')) res.setHeader('Cache-Control', 'no-cache');
  } });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/api')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
}

bootstrap().catch((err) => {
  process.stderr.write(`sylvite: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
