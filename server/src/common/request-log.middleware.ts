import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * One line per request: id, method, path (never the query string, which may carry
 * tokens), status and time. Bodies and headers are never logged, so neither are
 * passwords nor tokens.
 */
export class RequestLogMiddleware {
  private readonly logger = new Logger('HTTP');

  use = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = req.originalUrl.split('?')[0];
      // Announces and heartbeats are the bulk of traffic: log them at debug only.
      const quiet = path === '/api/tracker/announce' || path === '/api/nodes/heartbeat';
      const line = `${id} ${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms`;
      if (quiet && res.statusCode < 400) this.logger.debug(line);
      else this.logger.log(line);
    });
    next();
  };
}
