import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { mkdirSync } from 'node:fs';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { ApiErrorFilter } from './common/api-error.filter.js';
import { createValidationPipe } from './common/validation.js';
import { Logger } from 'nestjs-pino';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { MetricsService } from './metrics/metrics.service.js';
import { UsersService } from './users/users.service.js';

/**
 * Builds the whole server, exactly as production runs it. Tests call this too, so they
 * exercise the same pipes, guards, filters and headers.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  mkdirSync(config.dataDir, { recursive: true });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
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
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
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
