import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type pino from 'pino';
import type { AppConfig } from '../config/app-config.js';

const PINO_LEVEL: Record<AppConfig['logLevel'], string> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Announces and heartbeats are most of the traffic: logged at debug unless they fail. */
const QUIET_PATHS = new Set([
  '/api/tracker/announce',
  '/api/nodes/heartbeat',
  '/health',
  '/health/live',
  '/health/ready',
  '/metrics',
]);

/** The caller's X-Request-Id when it is a sane one, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

const pathOf = (req: IncomingMessage) => (req.url ?? '').split('?')[0];

const LOGIN_NAME = Symbol('shoal:login-name');

type Identified = IncomingMessage & {
  ip?: string;
  user?: { id?: string; username?: string; apiToken?: { id: string } };
  node?: { id?: string };
  [LOGIN_NAME]?: string;
};

/** Names the account a login attempt was for, for its request log line (the login route is public, so no user is set). */
export function noteLoginName(req: IncomingMessage, username: string): void {
  (req as Identified)[LOGIN_NAME] = username.slice(0, 64);
}

/**
 * Who made a request, for its log line: the client address (Express's req.ip, which
 * honours SHOAL_TRUSTED_PROXIES), and the user or node the guard authenticated, or the
 * account a login was for. Never a credential.
 */
function requestActor(req: IncomingMessage): Record<string, string> {
  const r = req as Identified;
  const out: Record<string, string> = {};
  const client = r.ip ?? r.socket?.remoteAddress;
  if (client) out.client = client;
  const username = r.user?.username ?? r[LOGIN_NAME];
  if (username) out.user = username;
  if (r.user?.id) out.userId = r.user.id;
  // Which API token, by id (never the token): what a leaked one did can be traced.
  if (r.user?.apiToken) out.apiToken = r.user.apiToken.id;
  if (r.node?.id) out.node = r.node.id;
  return out;
}

const asIs = (v: unknown) => v;

const levelOf = (req: IncomingMessage, res: ServerResponse): pino.Level => {
  if (res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return QUIET_PATHS.has(pathOf(req)) ? 'info' : 'warn';
  return QUIET_PATHS.has(pathOf(req)) ? 'debug' : 'info';
};

/**
 * The application logger (pino, JSON lines) for nestjs-pino's Nest logger. Its per-request
 * middleware (pino-http) is not mounted: it built two child loggers per request, one of
 * them serializing the request eagerly, and ran every request inside an
 * AsyncLocalStorage context, which makes each promise dearer; `requestLog` writes the
 * request line instead.
 */
export function loggingParams(config: AppConfig): Params {
  return { pinoHttp: { level: PINO_LEVEL[config.logLevel] }, forRoutes: [] };
}

/**
 * Express middleware: gives every request an id (X-Request-Id, the caller's when sane)
 * and writes one JSON line when its answer is done. Only method, path (never the query
 * string, which may carry tokens), status, time taken and who asked (client address,
 * user or node id, the API token's id) are logged: no headers, no bodies, so neither passwords nor tokens can
 * reach a log. Nothing is built for a line the level leaves out (a successful announce,
 * heartbeat or health check is logged at debug).
 */
export function requestLog(root: pino.Logger<string>) {
  // The root logger comes with pino-http's serializers for `req` and `res`; these lines carry plain objects.
  const logger = root.child({}, { serializers: { req: asIs, res: asIs } });
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const id = requestIdOf(req);
    (req as IncomingMessage & { id?: string }).id = id;
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    res.once('close', () => {
      const level = levelOf(req, res);
      if (!logger.isLevelEnabled(level)) return;
      // An answer cut off before it was sent (the client went away) is logged as what it was meant to be.
      const line = {
        req: { id, method: req.method, path: pathOf(req) },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
        ...(res.writableFinished ? {} : { aborted: true }),
        ...requestActor(req),
      };
      logger[level](line, `${req.method} ${pathOf(req)} ${res.statusCode}`);
    });
    next();
  };
}

/**
 * Nest's own start-up lines: one per module and per route (about ninety) at every start,
 * at info, burying what the server says. They stay available at debug.
 */
const FRAMEWORK_CHATTER = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** `inner` with Nest's start-up chatter moved from info to debug; everything else as it was. */
export function quietFrameworkChatter(inner: LoggerService): LoggerService {
  const isChatter = (params: unknown[]) => FRAMEWORK_CHATTER.has(String(params.at(-1)));
  return {
    log: (message: unknown, ...params: unknown[]) =>
      isChatter(params) ? inner.debug?.(message, ...params) : inner.log(message, ...params),
    error: (message: unknown, ...params: unknown[]) => inner.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => inner.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => inner.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => inner.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => inner.fatal?.(message, ...params),
  };
}
