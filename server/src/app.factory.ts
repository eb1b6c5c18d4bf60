import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { LIMITS } from '@shoal/contract';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { ApiErrorFilter } from './common/api-error.filter.js';
import { NodeRequestLimit } from './common/node-request-limit.js';
import { createValidationPipe } from './common/validation.js';
import { bearerOf, jsonBodyParsers, type LargeBodyRoute } from './common/json-body.js';
import { quietFrameworkChatter } from './common/logging.js';
import { CredentialsService } from './credentials/credentials.service.js';
import { RevocationListService } from './credentials/revocation-list.service.js';
import { secureDataDir } from './database/data-dir.js';
import { UserTokensService } from './auth/user-tokens.service.js';
import { Logger, PinoLogger } from 'nestjs-pino';
import { requestLog } from './common/logging.js';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { MetricsService } from './metrics/metrics.service.js';
import { ANNOUNCE_PATH, TrackerFastPath } from './tracker/tracker.fast-path.js';
import { UsersService } from './users/users.service.js';
import { agentVersionCheck, SERVER_VERSION } from './version/agent-version.middleware.js';

/**
 * Builds the whole server, exactly as production runs it. Tests call this too, so they
 * exercise the same pipes, guards, filters and headers.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const tightened = secureDataDir(config.dataDir, { sqlite: !config.databaseUrl });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(quietFrameworkChatter(app.get(Logger)));
  for (const t of tightened) {
    app
      .get(Logger)
      .warn(`tightened ${t.path} from ${t.from.toString(8)} to ${t.to.toString(8)}: it must be private to the server`);
  }
  // Without configured load balancers the TCP peer is the client: a forged X-Forwarded-For must not pick the address the login throttle counts.
  app.set('trust proxy', config.trustedProxies.length ? config.trustedProxies : false);
  app.disable('x-powered-by');
  // Express hashes every JSON body for an ETag; API answers change with every call
  // (counts, swarms, tokens) and no client sends If-None-Match for them. Static portal
  // files keep theirs (serve-static derives it from the file, not its bytes).
  app.set('etag', false);
  // Announces are most of the traffic: the common case is answered before Express
  // (TrackerFastPath), with the same body parser and the headers the middleware below sets.
  const fastPath = app.get(TrackerFastPath);
  app.use(requestLog((await app.resolve(PinoLogger)).logger));
  app.use(fastPath.forwardParseError);
  const { small: jsonParser, gated } = jsonBodyParsers(largeBodyRoutes(app));
  app.use(gated);
  const securityHeaders = helmet({
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
  });
  app.use(securityHeaders);
  app.use(agentVersionCheck(config.publicUrl));
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  // CORS stays closed unless origins are listed: the portal is served from this origin.
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: false });
  // cors answers a request without an Origin (the only kind the fast path takes) with Vary: Origin.
  const corsHeaders: [string, string][] = config.corsOrigins.length ? [['Vary', 'Origin']] : [];
  const everyAnswer: [string, string][] = [...headersSetBy(securityHeaders), ...corsHeaders, SERVER_VERSION];
  fastPath.install(app.getHttpServer() as Server, jsonParser, everyAnswer);
  // In front of the fast path too: a node request it answers counts as much as one Express does.
  const shed = app.get(MetricsService).shedNodeRequests;
  new NodeRequestLimit(config.maxInflightNodeRequests, () => shed.inc()).install(
    app.getHttpServer() as Server,
    everyAnswer,
  );
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

/**
 * The only routes allowed bodies above the default limit, each only for a caller whose
 * token is checked before the body is read (the guard checks it again afterwards).
 */
function largeBodyRoutes(app: INestApplication): LargeBodyRoute[] {
  const userTokens = app.get(UserTokensService);
  const users = app.get(UsersService);
  const credentials = app.get(CredentialsService);
  const revocations = app.get(RevocationListService);
  return [
    {
      // Splitting metadata of up to LIMITS.maxPieces pieces; a bigger one would make a manifest agents refuse.
      method: 'POST',
      path: '/api/admin/resources',
      limit: LIMITS.maxManifestBytes,
      allowed: async (req) => {
        const claims = await userTokens.verify(bearerOf(req) ?? '');
        if (!claims || claims.role !== 'admin') return false;
        return (await users.findActive(claims.sub))?.role === 'admin';
      },
    },
    {
      // A seed's holdings: up to 100,000 entries of ~100 bytes, plus preheat reports.
      method: 'POST',
      path: '/api/nodes/heartbeat',
      limit: 16 * 1024 * 1024,
      allowed: async (req) => {
        const claims = await credentials.verifyNodeCredential(bearerOf(req) ?? '');
        return !revocations.isRevoked(claims.sub);
      },
    },
  ];
}

/** The headers a middleware that sets the same headers on every response sets, in order. */
function headersSetBy(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
): [string, string][] {
  const headers = new Map<string, [string, string]>();
  const res = {
    setHeader(name: string, value: string | number | string[]) {
      headers.set(name.toLowerCase(), [name, String(value)]);
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  middleware(
    { headers: {}, method: 'POST', url: ANNOUNCE_PATH } as IncomingMessage,
    res as unknown as ServerResponse,
    (err) => {
      if (err) throw err;
    },
  );
  return [...headers.values()];
}
