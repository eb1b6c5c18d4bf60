import type { ApiErrorBody } from '@shoal/contract';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** What a node is told to wait when this instance is full; agents add jitter and their own backoff on top. */
const OVERLOAD_RETRY_SECONDS = 5;

/**
 * The calls every node makes on its own schedule, whoever is asking: heartbeats and
 * announces. A fleet that comes back after an outage sends them all at once. Matched
 * lower-cased and without a trailing slash or query, as Express routes them.
 */
const NODE_PATHS = new Set(['/api/nodes/heartbeat', '/api/tracker/announce']);

/**
 * A node request whose body has not all arrived by then is dropped, so a place is never
 * held for long by a client that sends headers and then trickles (or never sends) its
 * body. Generous: a seed's largest heartbeat (16 MiB) over a slow link fits.
 */
const BODY_DEADLINE_MS = 30_000;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const BODY = JSON.stringify({
  statusCode: 429,
  code: 'too_many_requests',
  message: `server busy: too many node requests in progress; retry after ${OVERLOAD_RETRY_SECONDS} s`,
} satisfies ApiErrorBody);

/**
 * Sheds load instead of queueing it: at most `max` heartbeats and announces are in
 * progress on this instance at once; one more is answered 429 with Retry-After at once,
 * before its body is parsed or its proof checked (which is what costs). Without it a
 * burst waits in the event loop, each request holding its body in memory, until they all
 * time out together and retry together. A counter, incremented when a node request
 * comes in and decremented when its response is finished or its connection closes.
 *
 * Every request to those paths counts, before its credential is checked: checking it is
 * part of the cost being bounded. A client holding places open without finishing its
 * request loses them after BODY_DEADLINE_MS.
 *
 * Installed in front of every other request listener (the tracker's fast path and
 * Express), so both ways a node request is answered are counted.
 */
export class NodeRequestLimit {
  private inFlight = 0;

  constructor(
    private readonly max: number,
    private readonly onShed: () => void,
  ) {}

  install(server: Server, headers: [string, string][]): void {
    const inner = server.listeners('request') as Listener[];
    if (inner.length !== 1) throw new Error(`expected one request listener, found ${inner.length}`);
    const flat = headers.flat();
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'POST' || !NODE_PATHS.has(normalizedPath(req.url))) return inner[0](req, res);
      if (this.inFlight >= this.max) return this.shed(req, res, flat);
      this.inFlight++;
      const deadline = setTimeout(() => {
        if (!req.complete) req.destroy();
      }, BODY_DEADLINE_MS);
      deadline.unref();
      // 'close' comes once the answer is sent or the connection is gone, whichever way it ends.
      res.once('close', () => {
        clearTimeout(deadline);
        this.inFlight--;
      });
      inner[0](req, res);
    });
  }

  private shed(req: IncomingMessage, res: ServerResponse, headers: string[]): void {
    this.onShed();
    // The body is read and dropped, so the connection stays usable for the node's retry.
    req.resume();
    res.writeHead(429, [
      ...headers,
      'Retry-After',
      String(OVERLOAD_RETRY_SECONDS),
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(BODY)),
    ]);
    res.end(BODY);
  }
}

function normalizedPath(url: string | undefined): string {
  const path = (url ?? '').split('?')[0].toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
