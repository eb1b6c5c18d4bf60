import 'reflect-metadata';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { mkdirSync } from 'node:fs';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { ApiErrorFilter } from './common/api-error.filter.js';
import { createValidationPipe } from './common/validation.js';
import { RequestLogMiddleware } from './common/request-log.middleware.js';
import { UsersService } from './users/users.service.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Builds the whole server, exactly as production runs it. Tests call this too, so they
 * exercise the same pipes, guards, filters and headers.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  mkdirSync(config.dataDir, { recursive: true });
  const logger = new ConsoleLogger({
    json: config.logJson,
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel === 'log' ? 'log' : config.logLevel) + 1),
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger,
    bodyParser: false,
  });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  // 100 MB covers the metadata of a resource with a million pieces; anything bigger is refused.
  app.useBodyParser('json', { limit: '100mb' });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
        },
      },
    }),
  );
  app.use(new RequestLogMiddleware().use);
  // CORS stays closed unless origins are listed: the portal is served from this origin.
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle('Shoal')
    .setDescription(
      'Catalog, identity, node registry, manifests and tracker of the Shoal content distribution platform',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'api/docs-json',
  });

  await app.init();
  await app.get(UsersService).ensureAdmin(config.adminPassword);
  return app;
}
