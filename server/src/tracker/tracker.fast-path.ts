import { Inject, Injectable } from '@nestjs/common';
import { ANNOUNCE_EVENTS, dpopCredential, LIMITS, NODE_PROOF, type AnnounceResponse } from '@shoal/contract';
import { arrayMaxSize, isIn, isInt, isUUID, matches, max, maxLength, min } from 'class-validator';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { requestIdOf } from '../common/logging.js';
import type { AuthenticatedNode } from '../common/principals.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { markProvenNode, NodeProofService } from '../credentials/node-proof.service.js';
import { RevocationListService } from '../credentials/revocation-list.service.js';
import { TrackerSessionService } from '../credentials/tracker-session.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { announceJson } from './announce-json.js';
import { LISTEN_ADDRESS_PATTERN, type AnnounceDto } from './dto/announce.dto.js';
import { TrackerService } from './tracker.service.js';

export const ANNOUNCE_PATH = '/api/tracker/announce';

/** Set on a request the fast path handed on: its body's parse error, or the failure of an announce it started. */
const PARSE_ERROR = Symbol('shoal:announce-parse-error');
const FAILURE = Symbol('shoal:announce-failure');

type HandedOn = IncomingMessage & { body?: unknown; [PARSE_ERROR]?: unknown; [FAILURE]?: unknown };
type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type JsonParser = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * POST /api/tracker/announce for the common case, answered by the HTTP server's request
 * listener before Express: announces are most of the server's traffic, and Express
 * routing, helmet, the metrics and logging middleware, the guard and the validation pipe
 * cost several times what the announce itself does (docs/benchmarks.md, tracker).
 *
 * It only answers what the Nest route would answer 200 with the same body: a node
 * credential already verified and still valid, not revoked, with a valid proof of
 * possession (checked here, as the guard would); a body every rule of
 * AnnounceDto accepts (checked with class-validator's own functions); a resource known
 * to exist. Everything else — no or unknown credential, a bad proof, a bad body, an unknown
 * resource, a browser request (Origin), debug logging on — is handed to the Express app
 * as it came, so those answers (400/401/404 bodies, logs, metrics) come from one place.
 * The body is read by the app's own JSON parser (the same instance), so a handed-on
 * request carries its parsed body or its parse error, which `forwardParseError`
 * raises where the parser would have. An announce that fails once started (a 5xx) is
 * handed on too and the Nest route rethrows it, so it is logged and counted like any error.
 *
 * What the answer keeps: the same status, body, helmet headers, X-Request-Id and request
 * metrics. What it drops: the per-request log line, which pino-http writes at debug level
 * for a successful announce (so never, unless debug logging is on, and then this path is
 * off).
 */
@Injectable()
export class TrackerFastPath {
  private readonly enabled: boolean;
  private headers: string[] = [];
  private jsonParser: JsonParser | null = null;
  private readonly timing;
  private readonly answered;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly proofs: NodeProofService,
    private readonly revocations: RevocationListService,
    private readonly tracker: TrackerService,
    metrics: MetricsService,
    private readonly sessions: TrackerSessionService,
  ) {
    this.enabled = config.logLevel !== 'debug' && config.logLevel !== 'verbose';
    this.timing = metrics.httpRequests.labels({ method: 'POST', route: ANNOUNCE_PATH, status: '200' });
    // Shows how much of the traffic this path takes (it steps aside at debug level, for browsers, on refusals).
    this.answered = metrics.fastPathAnnounces;
  }

  /**
   * Puts the fast path in front of the server's request listener (the Express app).
   * `jsonParser` is the app's JSON body parser; `headers` are what the middleware it
   * skips sets on every answer (helmet's, CORS's Vary), as name/value pairs.
   */
  install(server: Server, jsonParser: JsonParser, headers: [string, string][]): void {
    this.jsonParser = jsonParser;
    this.headers = headers.flat();
    const app = server.listeners('request') as Listener[];
    if (app.length !== 1) throw new Error(`expected one request listener, found ${app.length}`);
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.serve(req, res, app[0]));
  }

  /** Express middleware, first in the app: raises the body parse error of a request handed on by the fast path. */
  readonly forwardParseError = (req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void => {
    next((req as HandedOn)[PARSE_ERROR]);
  };

  private serve(req: IncomingMessage, res: ServerResponse, app: Listener): void {
    if (!this.enabled || req.method !== 'POST' || req.url !== ANNOUNCE_PATH || req.headers.origin !== undefined) {
      return app(req, res);
    }
    this.authenticate(req).then(
      (node) => (node && this.jsonParser ? this.parse(req, res, app, node) : app(req, res)),
      () => app(req, res),
    );
  }

  private parse(req: IncomingMessage, res: ServerResponse, app: Listener, node: AuthenticatedNode): void {
    this.jsonParser!(req, res, (err) => {
      if (err) {
        (req as HandedOn)[PARSE_ERROR] = err;
        return app(req, res);
      }
      const announce = announceFromBody((req as HandedOn).body);
      if (!announce || !this.tracker.knowsResource(announce.resourceId)) return app(req, res);
      this.answer(req, res, app, node, announce);
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, app: Listener, node: AuthenticatedNode, dto: AnnounceDto) {
    const started = performance.now();
    this.tracker.announce(node, dto).then(
      (answer) => {
        const body = announceJson(withSessionGrant(answer, req, node, this.sessions));
        const headers = this.headers.slice();
        headers.push(
          'Content-Type',
          'application/json; charset=utf-8',
          'Content-Length',
          String(Buffer.byteLength(body)),
          'X-Request-Id',
          requestIdOf(req),
        );
        res.writeHead(200, headers);
        res.end(body);
        this.timing.observe((performance.now() - started) / 1000);
        this.answered.inc();
      },
      (err: unknown) => {
        (req as HandedOn)[FAILURE] = err;
        app(req, res);
      },
    );
  }

  /**
   * The guard's node authentication (AccessGuard.authenticateNode) for credentials it has
   * already verified: the proof is checked (and its jti used) here, so a request handed
   * on from here on is marked as authenticated. Null (or a rejection, for a bad proof)
   * hands the request on unmarked, and the guard answers it.
   */
  private async authenticate(req: IncomingMessage): Promise<AuthenticatedNode | null> {
    const claims = await this.proofs.authenticateCached({
      method: req.method,
      url: ANNOUNCE_PATH,
      headers: req.headers,
    });
    if (!claims) return null;
    markProvenNode(req, claims);
    if (this.revocations.isRevoked(claims.sub)) return null;
    return { id: claims.sub, name: claims.name, role: claims.role, site: claims.site, issuedAt: claims.iat };
  }
}

/**
 * The answer with a tracker session grant when the announce was authenticated by a DPoP
 * proof (a request carrying one is checked by its proof, never by a session), so the
 * agent's next announces need no signature check (contract/src/tracker-session.ts).
 */
export function withSessionGrant(
  answer: AnnounceResponse,
  req: IncomingMessage,
  node: AuthenticatedNode,
  sessions: TrackerSessionService,
): AnnounceResponse {
  if (req.headers[NODE_PROOF.header] === undefined) return answer;
  return { ...answer, session: sessions.grant(node.id, dpopCredential(req.headers.authorization)) };
}

/** The failure of an announce the fast path started, if any: the Nest route throws it instead of announcing twice. */
export function failedAnnounce(req: IncomingMessage): unknown {
  return (req as HandedOn)[FAILURE];
}

/**
 * The announce in a parsed JSON body if AnnounceDto's rules accept it, else null; same
 * checks, same functions, unknown fields dropped (the DTO accepts and strips them). May
 * refuse what the DTO accepts, never the reverse: a refused body goes to the Nest route.
 */
export function announceFromBody(body: unknown): AnnounceDto | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const { resourceId, event, left, uploaded, downloaded } = b;
  if (!isUUID(resourceId) || !isIn(event, ANNOUNCE_EVENTS)) return null;
  if (!isInt(left) || !min(left, 0) || !max(left, LIMITS.maxTotalSize)) return null;
  if (!isInt(uploaded) || !min(uploaded, 0) || !max(uploaded, Number.MAX_SAFE_INTEGER)) return null;
  if (!isInt(downloaded) || !min(downloaded, 0) || !max(downloaded, Number.MAX_SAFE_INTEGER)) return null;
  // @IsOptional() lets null through as well, kept as null (the service reads both with ??).
  const { addresses, numWant } = b;
  if (addresses !== undefined && addresses !== null) {
    if (!Array.isArray(addresses) || !arrayMaxSize(addresses, LIMITS.maxListenAddresses)) return null;
    for (const a of addresses) if (!maxLength(a, 300) || !matches(a, LISTEN_ADDRESS_PATTERN)) return null;
  }
  if (
    numWant !== undefined &&
    numWant !== null &&
    (!isInt(numWant) || !min(numWant, 0) || !max(numWant, LIMITS.maxPeersPerAnnounce))
  ) {
    return null;
  }
  return {
    resourceId: resourceId as string,
    event: event as AnnounceDto['event'],
    left: left as number,
    uploaded: uploaded as number,
    downloaded: downloaded as number,
    addresses: addresses as string[] | undefined,
    numWant: numWant as number | undefined,
  };
}
