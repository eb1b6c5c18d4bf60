import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
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

/**
 * Structured JSON logs (pino), one line per request with its id. Only method, path
 * (never the query string, which may carry tokens) and status are logged: no headers,
 * no bodies, so neither passwords nor tokens can reach a log.
 */
export function loggingParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: PINO_LEVEL[config.logLevel],
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestIdOf(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: IncomingMessage & { id?: string }) => ({ id: req.id, method: req.method, path: pathOf(req) }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) => {
        if (err || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return QUIET_PATHS.has(pathOf(req)) ? 'info' : 'warn';
        return QUIET_PATHS.has(pathOf(req)) ? 'debug' : 'info';
      },
      customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
        `${req.method} ${pathOf(req)} ${res.statusCode}`,
      customErrorMessage: (req: IncomingMessage, res: ServerResponse) =>
        `${req.method} ${pathOf(req)} ${res.statusCode}`,
    },
  };
}
