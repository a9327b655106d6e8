// HTTP entry point: reads the configuration, builds the app from the shared core and listens.
// A bad configuration or a busy port ends the process with a clear message, never a hang.
import 'reflect-metadata';
import { Logger, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadConfig } from '@talecast/config';
import { AppModule, WorkerModule } from './app.module';
import { webDistDir } from './pages/web-dist';
import helmet from 'helmet';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';
import { enforceMinimumBodyRate, sameOrigin } from './http/request-limits';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  if (config.role === 'worker') {
    // No HTTP: the same core, taking render jobs from the queue.
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: levelsFrom(config.logLevel) });
    worker.enableShutdownHooks();
    new Logger('Talecast').log(`worker ${process.pid} taking jobs`);
    if (process.send) process.send({ ready: true, url: null });
    return;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: levelsFrom(config.logLevel),
    bodyParser: true,
  });
  app.set('x-powered-by', false);
  // Security headers; media and workers from blob: URLs are allowed for HLS playback (hls.js).
  // `upgrade-insecure-requests` only behind HTTPS: on plain HTTP (a LAN address) it breaks the page.
  const directives = {
    defaultSrc: ["'self'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    mediaSrc: ["'self'", 'blob:'],
    workerSrc: ["'self'", 'blob:'],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
  };
  const overHttps = helmet({ contentSecurityPolicy: { directives: { ...directives, upgradeInsecureRequests: [] } }, crossOriginEmbedderPolicy: false });
  const overHttp = helmet({ contentSecurityPolicy: { directives: { ...directives, upgradeInsecureRequests: null } }, crossOriginEmbedderPolicy: false });
  app.use((req: Request, res: Response, next: NextFunction) => (isHttps(req) ? overHttps : overHttp)(req, res, next));
  app.use(sameOrigin(config));
  enforceMinimumBodyRate(app.getHttpServer(), config);
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins, methods: ['GET', 'POST', 'DELETE'], maxAge: 600 });
  app.useBodyParser('json', { limit: '64kb' });
  // Everything under /api, except the private link of a render (/v/<token>, a page).
  app.setGlobalPrefix('api', { exclude: [{ path: 'v/:token', method: RequestMethod.GET }] });
  // The parents' page at / and the admin page at /admin: the static Vite build, if it was built.
  const web = webDistDir();
  if (existsSync(path.join(web, 'index.html'))) {
    app.useStaticAssets(web, {
      index: ['index.html'],
      extensions: ['html'],
      dotfiles: 'ignore',
      redirect: false,
      // Pages are revalidated; hashed assets never change.
      setHeaders: (res, file) =>
        res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
  }
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Talecast API').setVersion('1').addBearerAuth().build());
  SwaggerModule.setup('docs', app, document);
  // Idle keep-alive connections outlive the clients' and proxies' (typically 60 s) and a
  // Retry-After pause: with Node's 5 s default, a client retrying after 5 s meets a socket the
  // server is closing and sees ECONNRESET (found by the load test).
  const server = app.getHttpServer() as import('node:http').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  try {
    await app.listen(config.port, config.host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(
        `Cannot listen on ${config.host}:${config.port}: ${code === 'EADDRINUSE' ? 'the port is already in use' : 'permission denied'} (set PORT)\n`,
      );
      await app.close();
      process.exit(1);
    }
    throw err;
  }
  const url = await app.getUrl();
  new Logger('Talecast').log(`listening on ${url} (role ${config.role})`);
  if (process.send) process.send({ ready: true, url });
}

/** Served over TLS here, or behind a proxy that terminated it. */
function isHttps(req: Request): boolean {
  return (
    req.secure ||
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      .trim() === 'https'
  );
}

function levelsFrom(level: string): ('error' | 'warn' | 'log' | 'debug')[] {
  const all = ['error', 'warn', 'log', 'debug'] as const;
  return all.slice(0, all.indexOf(level as (typeof all)[number]) + 1);
}

// A rejected promise nobody awaited (pg-boss 10 completes jobs without awaiting, so a database
// restart mid-job rejects into the void) must not take the whole process down: log and go on.
process.on('unhandledRejection', (reason) => {
  new Logger('Process').error(`unhandled rejection: ${(reason as Error)?.message ?? String(reason)}`);
});

bootstrap().catch((err) => {
  process.stderr.write(`Talecast failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
