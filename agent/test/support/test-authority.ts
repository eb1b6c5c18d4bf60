import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  computeContentId,
  dpopCredential,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  NODE_PROOF,
  NODE_PROOF_REQUIRED_MESSAGE,
  verifyNodeProof,
  type AnnounceRequest,
  type NodeCredentialClaims,
  type HeartbeatRequest,
  type Manifest,
  type NodeRole,
  type PeerInfo,
} from '@shoal/contract';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { NodeKey } from '../../src/identity/node-keys.js';
import { generateTlsMaterial, type TlsMaterial } from '../../src/identity/tls-certificate.js';
import { Engine, type EngineOptions } from '../../src/engine/index.js';
import { AgentNode } from '../../src/node/agent-node.js';
import type { TransferSpec } from '../../src/node/transfer-spec.js';
import { MemoryLogger } from './memory-logger.js';

let tlsOnce: Promise<TlsMaterial> | null = null;

/** An answer other than the default 400, e.g. the 403 the real server gives a member on an admin route. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** As on the real server's first start: the user called "admin" is the admin, everyone else a member. */
const roleOf = (username: string) => (username === 'admin' ? 'admin' : 'member');

interface NodeOpts {
  uploadLimit?: number;
  maxPeers?: number;
  idleEvictMs?: number;
  credential?: string;
  key?: NodeKey;
  stateDir?: string;
  downloadStateDir?: string;
  port?: number;
}

/**
 * A stand-in for the Shoal server in engine tests: it signs node credentials and tickets
 * with its own Ed25519 key, serves that key as a JWKS, and runs a tiny tracker, all on
 * 127.0.0.1. The agents under test talk to it exactly as they would to the real server.
 */
export class TestAuthority {
  url = '';
  revoked: string[] = [];
  announces: (AnnounceRequest & { nodeId: string })[] = [];
  heartbeats: (HeartbeatRequest & { nodeId: string })[] = [];
  /** Set: heartbeats are answered 429 with this Retry-After (seconds), as a server shedding load answers them. */
  heartbeatRetryAfter: number | null = null;
  refusedHeartbeats = 0;
  private server!: Server;
  private privateKey!: CryptoKey;
  private publicJwk!: JWK;
  private readonly swarm = new Map<string, Map<string, PeerInfo>>();
  private readonly names = new Map<string, { name: string; role: NodeRole }>();
  readonly nodes: AgentNode[] = [];
  private readonly engines: Engine[] = [];

  static async start(): Promise<TestAuthority> {
    const a = new TestAuthority();
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    a.privateKey = privateKey;
    a.publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'EdDSA', use: 'sig' };
    a.server = createServer((req, res) => {
      void a.handle(req).then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err: Error) => {
          const [status, code] = err instanceof HttpError ? [err.status, err.code] : [400, 'bad_request'];
          const retryAfter =
            err instanceof HttpError && err.retryAfter !== null ? { 'retry-after': String(err.retryAfter) } : {};
          res.writeHead(status, { 'content-type': 'application/json', ...retryAfter });
          res.end(JSON.stringify({ statusCode: status, code, message: err.message }));
        },
      );
    });
    await new Promise<void>((r) => a.server.listen(0, '127.0.0.1', () => r()));
    const addr = a.server.address();
    a.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return a;
  }

  async close(): Promise<void> {
    await Promise.all([
      ...this.nodes.map((n) => n.close().catch(() => undefined)),
      ...this.engines.map((e) => e.stop().catch(() => undefined)),
    ]);
    await this.stopServing();
  }

  /** The server goes away: every HTTP request from now on fails to connect. */
  async stopServing(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /**
   * A manifest as GET /api/resources/:id/manifest serves it, with a ticket and the seeds
   * known from announces. Typed by the contract, so a change to the manifest format breaks
   * this stand-in's build instead of letting it serve the old shape.
   */
  async manifest(resourceId: string, node?: string): Promise<Manifest> {
    const r = this.resources.get(resourceId);
    if (!r) throw new Error(`no resource ${resourceId}`);
    const members = [...(this.swarm.get(resourceId)?.values() ?? [])].filter((p) => p.addresses.length > 0);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      resourceId,
      contentId: r.contentId,
      name: r.name,
      description: r.description,
      totalSize: r.totalSize,
      pieceSize: r.pieceSize,
      files: r.files,
      pieceHashes: r.pieceHashes,
      serverUrl: this.url,
      trackerUrl: `${this.url}/api/tracker/announce`,
      seeds: members.filter((p) => p.role === 'seed'),
      peers: members.filter((p) => p.role !== 'seed'),
      ticket: await this.ticket(resourceId, r.contentId, { node }),
      issuedAt: new Date().toISOString(),
    };
    return manifest;
  }

  private signCredential(
    nodeId: string,
    role: NodeRole,
    jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string },
    opts: { expiresIn?: number; signWith?: CryptoKey; own?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const owner = opts.own ? { own: opts.own } : {};
    return new SignJWT({ typ: 'shoal-node', name: nodeId, role, site: null, ...owner, cnf: { jwk } })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
      .setIssuer('shoal')
      .setSubject(nodeId)
      .setIssuedAt(now - 60)
      .setExpirationTime(now + (opts.expiresIn ?? 3600))
      .sign(opts.signWith ?? this.privateKey);
  }

  /**
   * Signs a node credential the way the server does; `signWith` lets a test forge one with
   * another key, `own` names the user who self-enrolled the node.
   */
  credential(
    nodeId: string,
    role: NodeRole,
    key: NodeKey,
    opts: { expiresIn?: number; signWith?: CryptoKey; own?: string } = {},
  ): Promise<string> {
    return this.signCredential(nodeId, role, key.publicJwk(), opts);
  }

  async ticket(
    resourceId: string,
    contentId: string,
    opts: { node?: string; expiresIn?: number; typ?: string; issuer?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      typ: opts.typ ?? 'shoal-ticket',
      res: resourceId,
      cid: contentId,
      ...(opts.node ? { node: opts.node } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
      .setIssuer(opts.issuer ?? 'shoal')
      .setSubject('user-1')
      .setIssuedAt(now - 60)
      .setExpirationTime(now + (opts.expiresIn ?? 3600))
      .sign(this.privateKey);
  }

  /** A running agent node with a fresh key, TLS certificate and credential, listening on 127.0.0.1. */
  async node(
    nodeId: string,
    role: NodeRole,
    opts: NodeOpts = {},
  ): Promise<{ node: AgentNode; log: MemoryLogger; key: NodeKey; credential: string }> {
    const { options, log, key, credential } = await this.nodeOptions(nodeId, role, opts);
    const node = new AgentNode(options);
    await node.start();
    this.nodes.push(node);
    return { node, log, key, credential };
  }

  /** The same node behind the engine API, as the CLI and the built-in seed run it. */
  async engine(nodeId: string, role: NodeRole, opts: NodeOpts = {}): Promise<{ engine: Engine; log: MemoryLogger }> {
    const { options, log } = await this.nodeOptions(nodeId, role, opts);
    const engine = await Engine.start(options);
    this.engines.push(engine);
    return { engine, log };
  }

  private async nodeOptions(nodeId: string, role: NodeRole, opts: NodeOpts) {
    const key = opts.key ?? NodeKey.generate();
    const credential = opts.credential ?? (await this.credential(nodeId, role, key));
    tlsOnce ??= generateTlsMaterial('test-node');
    const log = new MemoryLogger(`[${nodeId}] `);
    this.names.set(nodeId, { name: nodeId, role });
    const options: EngineOptions = {
      nodeId,
      credential: () => credential,
      key,
      tls: await tlsOnce,
      serverUrl: this.url,
      trackerUrl: `${this.url}/api/tracker/announce`,
      stateDir: opts.stateDir ?? (await mkdtemp(join(tmpdir(), `shoal-state-${nodeId}-`))),
      downloadStateDir: opts.downloadStateDir,
      listen: { host: '127.0.0.1', port: opts.port ?? 0 },
      uploadLimit: opts.uploadLimit ?? null,
      maxPeers: opts.maxPeers,
      idleEvictMs: opts.idleEvictMs,
      log,
    };
    return { options, log, key, credential };
  }

  private readonly resources = new Map<
    string,
    Pick<Manifest, 'name' | 'description' | 'totalSize' | 'pieceSize' | 'files' | 'pieceHashes' | 'contentId'>
  >();
  private nextNode = 1;

  /** A node call must carry its credential under DPoP and a proof signed with the key the credential names, as the real server checks. */
  private async provenNode(req: IncomingMessage, url: URL): Promise<string> {
    const credential = dpopCredential(req.headers.authorization);
    const proof = req.headers[NODE_PROOF.header];
    if (!credential || typeof proof !== 'string') throw new Error(NODE_PROOF_REQUIRED_MESSAGE);
    const claims = decodeJwt(credential) as unknown as NodeCredentialClaims;
    await verifyNodeProof(proof, { credential, key: claims.cnf.jwk, method: req.method ?? 'GET', path: url.pathname });
    return claims.sub;
  }

  private async handle(req: IncomingMessage): Promise<unknown> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/.well-known/jwks.json') return { keys: [this.publicJwk] };
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (url.pathname === '/api/auth/login') {
      if (body.password !== 'secret') throw new Error('wrong password');
      const expiresAt = new Date(Date.now() + 900_000).toISOString();
      return {
        accessToken: `user-token-${body.username}`,
        expiresAt,
        user: { id: 'user-1', username: body.username, role: roleOf(body.username) },
      };
    }
    if (url.pathname === '/api/auth/me') {
      const username = bearer.replace(/^user-token-/, '');
      return { id: 'user-1', username, role: roleOf(username) };
    }
    if (url.pathname === '/api/nodes/enroll') {
      if (!body.token && !bearer.startsWith('user-token-')) throw new Error('no enrollment token and no user token');
      const nodeId = `node-${this.nextNode++}`;
      const role = body.token ? body.role : 'client';
      this.names.set(nodeId, { name: body.name, role });
      const credential = await this.signCredential(nodeId, role, body.publicKey);
      return {
        nodeId,
        credential,
        credentialExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
        jwksUrl: `${this.url}/.well-known/jwks.json`,
        trackerUrl: `${this.url}/api/tracker/announce`,
      };
    }
    if (url.pathname === '/api/admin/resources') {
      if (roleOf(bearer.replace(/^user-token-/, '')) !== 'admin') throw new HttpError(403, 'forbidden', 'admin only');
      const contentId = computeContentId(body);
      const id = `res-${contentId.slice(0, 12)}`;
      this.resources.set(id, { ...body, description: body.description ?? '', contentId });
      return { id, contentId, name: body.name };
    }
    const manifestPath = /^\/api\/resources\/([^/]+)\/manifest$/.exec(url.pathname);
    if (manifestPath) return this.manifest(manifestPath[1], url.searchParams.get('node') ?? undefined);
    const nodeId = await this.provenNode(req, url);
    if (url.pathname === '/api/nodes/heartbeat' && this.heartbeatRetryAfter !== null) {
      this.refusedHeartbeats++;
      throw new HttpError(429, 'too_many_requests', 'server busy', this.heartbeatRetryAfter);
    }
    if (url.pathname === '/api/nodes/heartbeat') {
      this.heartbeats.push({ ...(body as HeartbeatRequest), nodeId });
      return { revokedNodeIds: this.revoked, intervalSeconds: 30 };
    }
    if (url.pathname === '/api/tracker/announce') {
      const a = body as AnnounceRequest;
      this.announces.push({ ...a, nodeId });
      let members = this.swarm.get(a.resourceId);
      if (!members) this.swarm.set(a.resourceId, (members = new Map()));
      const info = this.names.get(nodeId) ?? { name: nodeId, role: 'client' as const };
      if (a.event === 'stopped') members.delete(nodeId);
      else members.set(nodeId, { nodeId, ...info, site: null, addresses: a.addresses ?? [], complete: a.left === 0 });
      return { intervalSeconds: 30, peers: [...members.values()].filter((p) => p.nodeId !== nodeId) };
    }
    throw new Error(`no route ${req.url}`);
  }
}

export interface TestContent {
  dir: string;
  root: string;
  files: { path: string; size: number }[];
  bytes: Map<string, Buffer>;
}

/** Writes random files under a fresh directory and returns the spec a publish would compute. */
export async function makeContent(
  files: { path: string; size: number }[],
  pieceSize: number,
): Promise<{ content: TestContent; spec: Omit<TransferSpec, 'ticket' | 'peers' | 'trackerUrl'> }> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-content-'));
  const root = join(dir, 'src');
  const bytes = new Map<string, Buffer>();
  for (const f of files) {
    const data = randomBytes(f.size);
    bytes.set(f.path, data);
    await mkdir(dirname(join(root, f.path)), { recursive: true });
    await writeFile(join(root, f.path), data);
  }
  const all = Buffer.concat(files.map((f) => bytes.get(f.path)!));
  const pieceHashes: string[] = [];
  for (let off = 0; off < all.length; off += pieceSize) {
    pieceHashes.push(
      createHash('sha256')
        .update(all.subarray(off, off + pieceSize))
        .digest('hex'),
    );
  }
  const contentId = computeContentId({ pieceSize, files, pieceHashes });
  return {
    content: { dir, root, files, bytes },
    spec: {
      resourceId: `res-${contentId.slice(0, 8)}`,
      contentId,
      name: 'test',
      totalSize: all.length,
      pieceSize,
      files,
      pieceHashes,
    },
  };
}
