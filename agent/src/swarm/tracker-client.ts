import { nodeProofHeaders, type AnnounceEvent, type AnnounceRequest, type AnnounceResponse } from '@shoal/contract';
import type { NodeKey } from '../identity/node-keys.js';
import { httpRequestText } from '../util/http-request.js';
import type { Logger } from '../util/logger.js';

/** An announce answer lists at most a few hundred peers. */
const MAX_ANSWER_BYTES = 1024 * 1024;
import type { Swarm } from './swarm.js';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Announces one transfer to the tracker (POST /api/tracker/announce with the node
 * credential and a proof signed with the node key) and feeds the peers it returns to the swarm. A tracker that is down is
 * logged and retried; the swarm keeps working with the peers it already knows.
 */
export class TrackerClient {
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  private stopped = false;

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
    let interval = 30;
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
      const proof = await nodeProofHeaders({
        credential: this.credential(),
        key: this.key.privateKey,
        method: 'POST',
        url,
      });
      const res = await httpRequestText(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...proof },
        body: JSON.stringify(body),
        timeoutMs: REQUEST_TIMEOUT_MS,
        maxBytes: MAX_ANSWER_BYTES,
      });
      if (!res.ok) {
        const text = res.text.slice(0, 200);
        if (res.status === 401 && text.includes('"node_revoked"')) {
          // An admin revoked this node: nothing it asks for may be served any more.
          this.log.log('error', 'this node has been revoked by an admin; stopping the transfer');
          this.stopped = true;
          this.swarm.emit('revoked');
          return;
        }
        throw new Error(`tracker answered ${res.status}: ${text}`);
      }
      const answer = JSON.parse(res.text) as AnnounceResponse;
      interval = Math.max(5, Number(answer.intervalSeconds) || 30);
      if (this.failing) this.log.log('info', 'tracker reachable again');
      this.failing = false;
      const peers = Array.isArray(answer.peers) ? answer.peers : [];
      this.swarm.addCandidates(
        peers.flatMap((p) => (p.addresses ?? []).map((address) => ({ address, nodeId: p.nodeId }))),
      );
    } catch (err) {
      if (!this.failing)
        this.log.log('warn', `tracker announce failed, going on with known peers: ${(err as Error).message}`);
      this.failing = true;
      interval = 10;
    }
    if (!this.stopped && event !== 'stopped') {
      this.timer = setTimeout(() => void this.announce('update'), interval * 1000);
      this.timer.unref();
    }
  }
}
