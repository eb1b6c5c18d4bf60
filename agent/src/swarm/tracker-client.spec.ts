import {
  credentialHash,
  dpopCredential,
  NODE_PROOF,
  TRACKER_SESSION,
  verifyNodeProof,
  verifyTrackerSessionHeader,
  type AnnounceResponse,
} from '@shoal/contract';
import { EventEmitter } from 'node:events';
import { createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeKey } from '../identity/node-keys.js';
import type { Swarm } from './swarm.js';
import { TrackerClient } from './tracker-client.js';

/**
 * A tracker on a real socket that checks both ways an announce may prove itself with the
 * contract's own functions, grants sessions as the server does, and records which way
 * each announce used.
 */
class Tracker {
  readonly used: ('proof' | 'session' | 'refused')[] = [];
  secret = randomBytes(32);
  grants = true;
  private server: Server | null = null;

  constructor(private readonly key: NodeKey) {}

  keyFor(credential: string, exp: number): Buffer {
    return createHmac('sha256', this.secret)
      .update(`${credentialHash(credential)}\n${exp}`)
      .digest();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on(
        'end',
        () =>
          void this.answer(req.headers, req.method ?? '', req.url ?? '').then(([status, body]) => {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
          }),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${TRACKER_SESSION.path}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }

  private async answer(
    headers: Record<string, string | string[] | undefined>,
    method: string,
    path: string,
  ): Promise<[number, unknown]> {
    const credential = dpopCredential(headers.authorization as string);
    const proof = headers[NODE_PROOF.header];
    const session = headers[TRACKER_SESSION.header];
    try {
      if (typeof proof === 'string') {
        const jwk = createPublicKey(this.key.privateKey).export({ format: 'jwk' });
        await verifyNodeProof(proof, {
          credential,
          key: { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) },
          method,
          path,
        });
        this.used.push('proof');
        const expiresAt = Math.floor(Date.now() / 1000) + TRACKER_SESSION.lifetimeSeconds;
        const grant = { key: this.keyFor(credential, expiresAt).toString('base64url'), expiresAt };
        return [
          200,
          { intervalSeconds: 30, peers: [], ...(this.grants ? { session: grant } : {}) } satisfies AnnounceResponse,
        ];
      }
      verifyTrackerSessionHeader(String(session), (exp) => this.keyFor(credential, exp));
      this.used.push('session');
      return [200, { intervalSeconds: 30, peers: [] }];
    } catch {
      this.used.push('refused');
      return [401, { statusCode: 401, code: 'unauthorized', message: 'refused' }];
    }
  }
}

describe('TrackerClient', () => {
  const key = NodeKey.generate();
  let tracker: Tracker;
  let url: string;
  let credential = 'credential-1';
  const swarm = Object.assign(new EventEmitter(), {
    resourceId: '00000000-0000-4000-8000-000000000001',
    bytesLeft: () => 0,
    stats: { uploaded: 0, downloaded: 0 },
    addCandidates: () => undefined,
  }) as unknown as Swarm;
  const log = { log: () => undefined };
  const client = () =>
    new TrackerClient(
      url,
      () => credential,
      key,
      swarm,
      log,
      () => undefined,
    );

  beforeEach(async () => {
    tracker = new Tracker(key);
    url = await tracker.start();
    credential = 'credential-1';
  });
  afterEach(() => tracker.stop());

  it('proves its first announce, then announces with the session it was granted', async () => {
    const c = client();
    await c.announce('update');
    await c.announce('update');
    await c.announce('stopped');
    expect(tracker.used).toEqual(['proof', 'session', 'session']);
  });

  it('proves itself again after a refusal (e.g. a server secret it no longer knows)', async () => {
    const c = client();
    await c.announce('update');
    tracker.secret = randomBytes(32);
    await c.announce('update'); // refused: the client keeps going with known peers
    await c.announce('update');
    await c.announce('stopped');
    expect(tracker.used).toEqual(['proof', 'refused', 'proof', 'session']);
  });

  it('proves itself with a renewed credential: a grant is good only with the one it was granted for', async () => {
    const c = client();
    await c.announce('update');
    credential = 'credential-2';
    await c.announce('update');
    await c.announce('stopped');
    expect(tracker.used).toEqual(['proof', 'proof', 'session']);
  });

  it('keeps proving every announce against a tracker that grants no sessions', async () => {
    tracker.grants = false;
    const c = client();
    await c.announce('update');
    await c.announce('stopped');
    expect(tracker.used).toEqual(['proof', 'proof']);
  });
});

describe('TrackerClient against a tracker shedding load', () => {
  const key = NodeKey.generate();
  const swarm = Object.assign(new EventEmitter(), {
    resourceId: '00000000-0000-4000-8000-000000000002',
    bytesLeft: () => 0,
    stats: { uploaded: 0, downloaded: 0 },
    addCandidates: () => undefined,
  }) as unknown as Swarm;

  /** The delays of the timers set while `run` runs; the next announce is one of them. */
  async function timersSetDuring(run: () => Promise<void>): Promise<number[]> {
    const delays: number[] = [];
    const real = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return real(fn, ms);
    }) as typeof setTimeout;
    try {
      await run();
    } finally {
      globalThis.setTimeout = real;
    }
    return delays;
  }

  async function trackerAnswering(status: number, headers: Record<string, string>) {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ statusCode: status, code: 'too_many_requests', message: 'busy' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TRACKER_SESSION.path}`;
    return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it.each([429, 503])(
    'waits at least the Retry-After of a %i (plus a little jitter) before announcing again',
    async (status) => {
      const tracker = await trackerAnswering(status, { 'retry-after': '40' });
      const c = new TrackerClient(
        tracker.url,
        () => 'credential',
        key,
        swarm,
        { log: () => undefined },
        () => undefined,
      );
      try {
        const delays = await timersSetDuring(() => c.announce('update'));
        expect(delays).toHaveLength(1);
        expect(delays[0]).toBeGreaterThanOrEqual(40_000);
        expect(delays[0]).toBeLessThanOrEqual(48_000);
      } finally {
        await c.stop();
        await tracker.close();
      }
    },
  );

  it('backs off a failing tracker without a Retry-After from a few seconds, growing', async () => {
    const tracker = await trackerAnswering(500, {});
    const c = new TrackerClient(
      tracker.url,
      () => 'credential',
      key,
      swarm,
      { log: () => undefined },
      () => undefined,
    );
    try {
      const delays = await timersSetDuring(async () => {
        for (let i = 0; i < 4; i++) await c.announce('update');
      });
      expect(delays).toHaveLength(4);
      // Full jitter: each is anywhere in [0, 2 s * 2^i).
      delays.forEach((d, i) => expect(d).toBeLessThan(2000 * 2 ** i));
    } finally {
      await c.stop();
      await tracker.close();
    }
  });
});
