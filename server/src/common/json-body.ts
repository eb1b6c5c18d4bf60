import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import express from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** What any caller, logged in or not, may send as JSON: far above every small DTO, far below what stalls a parse. */
const DEFAULT_JSON_LIMIT_BYTES = 1024 * 1024;

/**
 * Deepest nesting accepted. Every DTO is a few levels deep; the validation pipe and
 * class-transformer recurse per level, so a 100,000-deep body would exhaust the stack.
 */
const MAX_JSON_DEPTH = 64;

const TOO_DEEP = 'shoal.json.too.deep';
const JSON_TYPE = /^\s*application\/json\s*(;|$)/i;

/** Whether the JSON text nests objects/arrays deeper than `maxDepth` (brackets inside strings do not count). */
function jsonNestsDeeperThan(buf: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

function tooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException({
    code: 'payload_too_large',
    message: `request body too large: JSON bodies here are limited to ${limit} bytes`,
  });
}

/**
 * Express's JSON parser with a byte limit and a nesting limit, both enforced before
 * anything is parsed or validated. A body over the limit is answered 413 and its
 * connection closed after the answer, so the server neither reads nor waits for bytes
 * it will throw away: at once when its declared length is over the limit, and as soon
 * as the limit is passed for a body without a declared length (chunked). body-parser
 * alone would read such a body to its end before answering, however long it is.
 */
function jsonBodyParser(limit: number): Middleware {
  const parse = express.json({
    limit,
    verify: (_req, _res, buf, encoding) => {
      // Multi-byte UTF-8 never contains ASCII bytes, so brackets and quotes are found on the raw bytes.
      const utf8 = /^utf-?8$/i.test(encoding) ? buf : Buffer.from(new TextDecoder(encoding).decode(buf));
      if (jsonNestsDeeperThan(utf8, MAX_JSON_DEPTH)) throw Object.assign(new Error('too deep'), { type: TOO_DEEP });
    },
  }) as unknown as Middleware;
  return (req, res, next) => {
    const json = JSON_TYPE.test(req.headers['content-type'] ?? '');
    let answered = false;
    const refuse = () => {
      if (answered) return;
      answered = true;
      // Connection: close makes Node close the socket once the 413 is sent, instead of
      // reading the rest of the body to keep the connection.
      if (!res.headersSent) res.setHeader('Connection', 'close');
      next(tooLarge(limit));
    };
    if (json && Number(req.headers['content-length']) > limit) return refuse();
    // No declared length: count the bytes as they arrive (the parser reads them in the
    // same ticks) and answer the moment the limit is passed. body-parser, on the same
    // chunk, stops parsing and waits for the body's end, and is no longer listened to.
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.off('data', count);
        refuse();
      }
    };
    if (json && req.headers['content-length'] === undefined) req.on('data', count);
    parse(req, res, (err?: unknown) => {
      req.off('data', count);
      if (answered) return;
      const type = (err as { type?: string } | undefined)?.type;
      if (type === 'entity.too.large') return refuse();
      answered = true;
      if (type === TOO_DEEP) {
        return next(
          new BadRequestException({
            code: 'json_too_deep',
            message: `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`,
          }),
        );
      }
      next(err);
    });
  };
}

/** A bigger limit for one route, used only when `allowed` (e.g. a valid admin token) says so; the default otherwise. */
export interface LargeBodyRoute {
  method: string;
  path: string;
  limit: number;
  allowed(req: IncomingMessage): Promise<boolean>;
}

/**
 * The one JSON body parser of the app: the default limit everywhere, a route's larger
 * limit only once its caller is known to be allowed one. The check runs before a byte
 * of the body is read, so an anonymous caller can never make the server buffer or parse
 * more than the default limit.
 */
export function jsonBodyParsers(routes: LargeBodyRoute[]): { small: Middleware; gated: Middleware } {
  const small = jsonBodyParser(DEFAULT_JSON_LIMIT_BYTES);
  const large = routes.map((r) => ({ ...r, parse: jsonBodyParser(r.limit) }));
  const gated: Middleware = (req, res, next) => {
    const path = (req.url ?? '').split('?')[0];
    const route = large.find((r) => r.method === req.method && r.path === path);
    if (!route || !req.headers.authorization) return small(req, res, next);
    route.allowed(req).then(
      (ok) => (ok ? route.parse : small)(req, res, next),
      () => small(req, res, next),
    );
  };
  return { small, gated };
}

/** The bearer token of a request, or null. */
export function bearerOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() || null : null;
}
