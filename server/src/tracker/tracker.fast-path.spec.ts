import 'reflect-metadata';
import { BadRequestException } from '@nestjs/common';
import { nodeProofHeaders, TRACKER_SESSION, type AnnounceResponse, type PeerInfo } from '@shoal/contract';
import { getMetadataStorage } from 'class-validator';
import express from 'express';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/app-config.js';
import type { CredentialsService } from '../credentials/credentials.service.js';
import { NodeProofService, provenNode } from '../credentials/node-proof.service.js';
import type { RevocationListService } from '../credentials/revocation-list.service.js';
import { TrackerSessionService } from '../credentials/tracker-session.service.js';
import type { ServerSecret } from '../database/server-secret.entity.js';
import type { Repository } from 'typeorm';
import type { MetricsService } from '../metrics/metrics.service.js';
import { createValidationPipe } from '../common/validation.js';
import { announceJson } from './announce-json.js';
import { AnnounceDto } from './dto/announce.dto.js';
import { announceFromBody, failedAnnounce, TrackerFastPath } from './tracker.fast-path.js';
import type { TrackerService } from './tracker.service.js';

const pipe = createValidationPipe();

/** What the Nest route's validation pipe makes of a body: the DTO's fields, or null for a 400. */
async function viaPipe(body: unknown): Promise<Record<string, unknown> | null> {
  try {
    const dto = await pipe.transform(body, { type: 'body', metatype: AnnounceDto });
    return withoutUndefined({ ...dto });
  } catch (err) {
    if (err instanceof BadRequestException) return null;
    throw err;
  }
}

function withoutUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const valid = {
  resourceId: '4b0c7a52-8d1e-4c3f-9a6b-2f5e8d7c1a90',
  event: 'update',
  left: 1048576,
  uploaded: 0,
  downloaded: 0,
};

const oddValues = [undefined, null, 0, -1, 1, 1.5, -0, 2 ** 53, 1e300, NaN, '', '1', 'x', true, [], {}, ['1']];
const fieldValues: Record<string, unknown[]> = {
  resourceId: [...oddValues, valid.resourceId.toUpperCase(), 'not-a-uuid', `${valid.resourceId} `],
  event: [...oddValues, 'started', 'stopped', 'completed', 'update', 'Update', 'paused'],
  left: [...oddValues, 0, 4 * 2 ** 40, 2 ** 60],
  uploaded: [...oddValues, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2],
  downloaded: [...oddValues, Number.MAX_SAFE_INTEGER],
  addresses: [
    ...oddValues,
    ['10.0.0.1:7070'],
    ['[::1]:7070', 'host.example:1'],
    ['10.0.0.1:0'],
    ['10.0.0.1:70700'],
    ['10.0.0.1'],
    [7070],
    ['a'.repeat(296) + ':7070'],
    ['a'.repeat(297) + ':7070'],
    Array.from({ length: 16 }, (_, i) => `10.0.0.${i}:7070`),
    Array.from({ length: 17 }, (_, i) => `10.0.0.${i}:7070`),
  ],
  numWant: [...oddValues, 50, 51, 200],
};

describe('announceFromBody (the fast path) and AnnounceDto (the Nest route)', () => {
  it('checks the same fields as the DTO: a rule added to AnnounceDto must be added to announceFromBody', () => {
    const fields = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(AnnounceDto, '', true, false)
        .map((m) => m.propertyName),
    );
    expect([...fields].sort()).toEqual(Object.keys(fieldValues).sort());
  });

  it('accepts exactly the bodies the validation pipe accepts, with the same values', async () => {
    const bodies: unknown[] = [valid, { ...valid, fromANewerAgent: { x: 1 } }, null, [], 'x', 3, [valid]];
    for (const [field, values] of Object.entries(fieldValues)) {
      for (const value of values) bodies.push({ ...valid, [field]: value });
    }
    for (const numWant of fieldValues.numWant) {
      for (const addresses of fieldValues.addresses) bodies.push({ ...valid, numWant, addresses });
    }
    let accepted = 0;
    for (const body of bodies) {
      const fast = announceFromBody(body);
      const nest = await viaPipe(body);
      expect({ body, fast: fast && withoutUndefined(fast) }).toEqual({ body, fast: nest });
      if (fast) accepted++;
    }
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('announceJson', () => {
  const peer = (i: number, site: string | null): PeerInfo => ({
    nodeId: `node-${i}`,
    name: `n\u00e9 "${i}"\n`,
    role: i % 2 ? 'seed' : 'client',
    site,
    addresses: [`10.0.0.${i}:7070`, '[::1]:1'],
    complete: i % 3 === 0,
  });

  it('is JSON.stringify of the answer, byte for byte, also when peer entries are reused', () => {
    const peers = [peer(1, 'fra'), peer(2, null), peer(3, 'nyc')];
    const answers: AnnounceResponse[] = [
      { intervalSeconds: 30, peers: [] },
      { intervalSeconds: 30, peers },
      { intervalSeconds: 30, peers: [peers[2], peers[0]] },
      { intervalSeconds: 45, peers: [peers[0]] },
    ];
    for (const answer of answers) expect(announceJson(answer)).toBe(JSON.stringify(answer));
  });
});

describe('TrackerFastPath in front of a request listener', () => {
  const { privateKey: key } = generateKeyPairSync('ed25519');
  const x = String(createPublicKey(key).export({ format: 'jwk' }).x);
  const claims = { sub: 'node-1', name: 'n1', role: 'client', site: null, iat: 1, exp: 2e9, cnf: { jwk: { x } } };
  const body = JSON.stringify({ ...valid, event: 'update' });

  const secrets = { findOneBy: async () => ({ name: 'tracker-session-hmac', value: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }) };
  const sessions = new TrackerSessionService(secrets as unknown as Repository<ServerSecret>);
  beforeAll(() => sessions.onModuleInit());

  async function serve(announce: () => Promise<AnnounceResponse>) {
    const seen: { url?: string; failure?: unknown; body?: unknown; proven?: boolean }[] = [];
    const fastPath = new TrackerFastPath(
      { logLevel: 'log' } as AppConfig,
      new NodeProofService(
        { cachedNodeCredential: (t: string) => (t === 'good' ? claims : undefined) } as unknown as CredentialsService,
        null,
        sessions,
      ),
      { isRevoked: () => false } as unknown as RevocationListService,
      { knowsResource: () => true, announce } as unknown as TrackerService,
      {
        httpRequests: { labels: () => ({ observe: () => undefined }) },
        fastPathAnnounces: { inc: () => undefined },
      } as unknown as MetricsService,
      sessions,
    );
    // stands in for the Express app: records what it was handed and answers 599
    const server = createServer((req, res) => {
      seen.push({
        url: req.url,
        failure: failedAnnounce(req),
        body: (req as { body?: unknown }).body,
        proven: provenNode(req) !== undefined,
      });
      res.writeHead(599).end();
    });
    fastPath.install(server, express.json(), [['X-Test', 'yes']]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const proofFor = (token: string, path = '/api/tracker/announce') =>
      nodeProofHeaders({ credential: token, key, method: 'POST', url: path });
    const send = (headers: Record<string, string>, path = '/api/tracker/announce', payload = body) =>
      fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
    const post = async (token: string, path = '/api/tracker/announce', payload = body) =>
      send(await proofFor(token, path), path, payload);
    return { seen, post, send, proofFor, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it('answers an announce it can take, and hands the rest on with their parsed body', async () => {
    const s = await serve(async () => ({ intervalSeconds: 30, peers: [] }));
    try {
      const ok = await s.post('good');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-test')).toBe('yes');
      // answered to a proof: with a tracker session grant for this node and credential
      const answer = JSON.parse(await ok.text()) as AnnounceResponse;
      const grantedAt = answer.session!.expiresAt - TRACKER_SESSION.lifetimeSeconds;
      expect(Math.abs(grantedAt - Date.now() / 1000)).toBeLessThan(5);
      expect(answer).toEqual({ intervalSeconds: 30, peers: [], session: sessions.grant('node-1', 'good', grantedAt) });
      // unknown credential: handed on unread; a bad body: handed on parsed; not the exact path: unread
      expect((await s.post('unknown')).status).toBe(599);
      expect((await s.post('good', undefined, '{"left":-1}')).status).toBe(599);
      expect((await s.post('good', '/api/tracker/announce?x')).status).toBe(599);
      expect(s.seen).toEqual([
        { url: '/api/tracker/announce', failure: undefined, body: undefined, proven: false },
        { url: '/api/tracker/announce', failure: undefined, body: { left: -1 }, proven: true },
        { url: '/api/tracker/announce?x', failure: undefined, body: undefined, proven: false },
      ]);
    } finally {
      await s.close();
    }
  });

  it('answers no announce without a valid proof: a bearer credential, a replay, a proof for another path', async () => {
    const s = await serve(async () => ({ intervalSeconds: 30, peers: [] }));
    try {
      expect((await s.send({ authorization: 'Bearer good' })).status).toBe(599);
      const captured = await s.proofFor('good');
      expect((await s.send(captured)).status).toBe(200);
      expect((await s.send(captured)).status).toBe(599);
      const other = await s.proofFor('good', '/api/nodes/heartbeat');
      expect((await s.send(other)).status).toBe(599);
      // Handed on unmarked: the guard checks them again and answers 401.
      expect(s.seen.map((r) => r.proven)).toEqual([false, false, false]);
    } finally {
      await s.close();
    }
  });

  it('hands on an announce that failed once started, with its failure for the Nest route to throw', async () => {
    const failure = new Error('database unreachable');
    const s = await serve(() => Promise.reject(failure));
    try {
      expect((await s.post('good')).status).toBe(599);
      expect(s.seen).toHaveLength(1);
      expect(s.seen[0].failure).toBe(failure);
    } finally {
      await s.close();
    }
  });
});
