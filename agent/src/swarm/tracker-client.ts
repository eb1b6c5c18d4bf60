import {
  NODE_PROOF,
  nodeProofHeaders,
  TRACKER_SESSION,
  trackerSessionHeader,
  type AnnounceEvent,
  type AnnounceRequest,
  type AnnounceResponse,
  type TrackerSessionGrant,
} from '@shoal/contract';
import type { NodeKey } from '../identity/node-keys.js';
import { Backoff, jittered, retryAfterOf } from '../util/backoff.js';
import { httpRequestText } from '../util/http-request.js';
import type { Logger } from '../util/logger.js';
import type { Swarm } from './swarm.js';

/** An announce answer lists at most a few hundred peers. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;
/** The tracker's interval is obeyed down to this. */
const MIN_INTERVAL_SECONDS = 5;
const DEFAULT_INTERVAL_SECONDS = 30;
/** A steady announce comes up to this fraction of its interval early or late, so swarms started together drift apart. */
const INTERVAL_JITTER = 0.1;
/** A failed announce is retried after random(0, min(2 min, 2 s * 2^failures)): util/backoff.ts. */
const RETRY_BASE_MS = 2_000;
const RETRY_CAP_MS = 120_000;

/** A refusal that says when to come back (429/503 with Retry-After). */
class TrackerRefusal extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/**
 * Announces one transfer to the tracker (POST /api/tracker/announce with the node
 * credential and a proof signed with the node key, or while the tracker's last grant
 * lasts an HMAC of its session key: contract/src/tracker-session.ts) and feeds the peers
 * it returns to the swarm. A tracker that is down is
 * logged and retried; the swarm keeps working with the peers it already knows.
 */
export class TrackerClient {
  private timer: NodeJS.Timeout | null = null;
  private readonly backoff = new Backoff(RETRY_BASE_MS, RETRY_CAP_MS);
  private stopped = false;
  /** The tracker's last session grant and the credential it was granted with; kept in memory only. */
  private session: { grant: TrackerSessionGrant; credential: string } | null = null;

  constructor(
    private readonly trackerUrl: string,
    private readonly credential: () => string,
    private readonly key: NodeKey,
    private readonly swarm: Swarm,
    private readonly log: Logger,
    private readonly addresses: () => string[] | undefined,
  ) {
    swarm.on('complete', () => void this.announce('completed'));
  }

  start(): void {
    void this.announce('started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.announce('stopped').catch(() => undefined);
  }

  async announce(event: AnnounceEvent): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    let delayMs: number;
    try {
      const body: AnnounceRequest = {
        resourceId: this.swarm.resourceId,
        event,
        left: this.swarm.bytesLeft(),
        uploaded: this.swarm.stats.uploaded,
        downloaded: this.swarm.stats.downloaded,
        addresses: this.addresses(),
        numWant: 50,
      };
      const url = new URL(this.trackerUrl);
      const auth = await this.authHeaders(url);
      const res = await httpRequestText(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(body),
        timeoutMs: REQUEST_TIMEOUT_MS,
        maxBytes: MAX_ANSWER_BYTES,
      });
      if (!res.ok) {
        // Whatever was refused, the next announce proves itself afresh.
        this.session = null;
        const text = res.text.slice(0, 200);
        if (res.status === 401 && text.includes('"node_revoked"')) {
          // An admin revoked this node: nothing it asks for may be served any more.
          this.log.log('error', 'this node has been revoked by an admin; stopping the transfer');
          this.stopped = true;
          this.swarm.emit('revoked');
          return;
        }
        throw new TrackerRefusal(`tracker answered ${res.status}: ${text}`, retryAfterOf(res.status, res.headers));
      }
      const answer = JSON.parse(res.text) as AnnounceResponse;
      const interval = Math.max(MIN_INTERVAL_SECONDS, Number(answer.intervalSeconds) || DEFAULT_INTERVAL_SECONDS);
      delayMs = jittered(interval * 1000, INTERVAL_JITTER);
      this.keepSession(answer.session, auth);
      if (this.backoff.failures > 0) this.log.log('info', 'tracker reachable again');
      this.backoff.reset();
      const peers = Array.isArray(answer.peers) ? answer.peers : [];
      this.swarm.addCandidates(
        peers.flatMap((p) => (p.addresses ?? []).map((address) => ({ address, nodeId: p.nodeId }))),
      );
    } catch (err) {
      const first = this.backoff.failures === 0;
      delayMs = this.backoff.next(err instanceof TrackerRefusal ? err.retryAfterMs : null);
      if (first)
        this.log.log(
          'warn',
          `tracker announce failed, going on with known peers; next try in ${Math.ceil(delayMs / 1000)} s: ${(err as Error).message}`,
        );
    }
    if (!this.stopped && event !== 'stopped') {
      this.timer = setTimeout(() => void this.announce('update'), delayMs);
      this.timer.unref();
    }
  }

  /** A session header while the last grant lasts (and the credential is the one it was granted for), else a proof. */
  private async authHeaders(url: URL): Promise<Record<string, string>> {
    const credential = this.credential();
    const s = this.session;
    const now = Math.floor(Date.now() / 1000);
    if (s && s.credential === credential && s.grant.expiresAt - now > TRACKER_SESSION.renewBeforeSeconds) {
      return {
        authorization: `${NODE_PROOF.scheme} ${credential}`,
        [TRACKER_SESSION.header]: trackerSessionHeader(s.grant, now),
      };
    }
    return nodeProofHeaders({ credential, key: this.key.privateKey, method: 'POST', url });
  }

  private keepSession(grant: TrackerSessionGrant | undefined, sent: Record<string, string>): void {
    if (!grant || sent[NODE_PROOF.header] === undefined) return;
    const key = typeof grant.key === 'string' ? Buffer.from(grant.key, 'base64url') : null;
    if (!key || key.length !== TRACKER_SESSION.keyBytes || !Number.isSafeInteger(grant.expiresAt)) return;
    this.session = {
      grant: { key: grant.key, expiresAt: grant.expiresAt },
      credential: sent.authorization.slice(NODE_PROOF.scheme.length + 1),
    };
  }
}
