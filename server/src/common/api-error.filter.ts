import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { ApiErrorBody } from '@shoal/contract';
import type { Response } from 'express';
import { isDatabaseUnreachable } from '../database/database-errors.js';
import { isRedisUnreachable } from '../redis/redis-errors.js';

/** Seconds a client is told to wait (Retry-After) when a dependency of the answer is unreachable. */
const UNAVAILABLE_RETRY_SECONDS = 5;

/** The dependency each 503 code names in the log line. */
const UNREACHABLE_DEPENDENCY: Record<string, string> = {
  redis_unavailable: 'Redis',
  database_unavailable: 'database',
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'unavailable',
};

/**
 * Every error leaves the server as `{statusCode, code, message, errors?}`. Unknown errors
 * become a 500 with no detail in the body (the detail goes to the log). Redis out of
 * reach (REDIS_URL set: replay cache of node proofs, swarm state, login throttle) is a
 * 503 `redis_unavailable` with Retry-After, and the database out of reach (restarting,
 * failing over) a 503 `database_unavailable`: the request was fine, the server cannot
 * answer it right now, and a client that retries later loses nothing.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    // The request's id ties this line to the request's own log line.
    const request = `request ${String(host.switchToHttp().getRequest<{ id?: string }>().id)}`;
    const unreachable = UNREACHABLE_DEPENDENCY[body.code];
    if (unreachable) {
      this.logger.error(`${request} answered 503: ${unreachable} unreachable (${(exception as Error).message})`);
      if (!res.headersSent) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
    } else if (body.statusCode >= 500) {
      this.logger.error(
        `${request}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
      const message =
        typeof raw === 'string'
          ? raw
          : Array.isArray(obj.message)
            ? obj.message.join('; ')
            : typeof obj.message === 'string'
              ? obj.message
              : exception.message;
      const body: ApiErrorBody = {
        statusCode: status,
        code: typeof obj.code === 'string' ? obj.code : (CODE_BY_STATUS[status] ?? 'error'),
        message,
      };
      if (obj.errors && typeof obj.errors === 'object') body.errors = obj.errors as Record<string, string>;
      return body;
    }
    if (isRedisUnreachable(exception)) {
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'redis_unavailable',
        message: 'service unavailable: the shared state store (Redis) is unreachable; retry shortly',
      };
    }
    if (isDatabaseUnreachable(exception)) {
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'database_unavailable',
        message: 'service unavailable: the database is unreachable; retry shortly',
      };
    }
    // body-parser errors (malformed JSON, too large) carry a status of their own.
    const status = (exception as { status?: number; statusCode?: number })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return {
        statusCode: status,
        code: CODE_BY_STATUS[status] ?? 'bad_request',
        message: status === 413 ? 'request body too large' : 'malformed request body',
      };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'internal_error', message: 'internal server error' };
  }
}
