import {
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import {
  HEARTBEAT_INTERVAL_SECONDS,
  JWKS_PATH,
  NODE_OFFLINE_AFTER_SECONDS,
  TOKEN_LIFETIMES,
  type EnrollResponse,
  type HeartbeatResponse,
  type NodeDetail,
  type NodeSummary,
  type Page,
} from '@shoal/contract';
import { In, IsNull, Repository, type DataSource, type EntityManager } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AuthenticatedNode, AuthenticatedUser } from '../common/principals.js';
import { prefixRange } from '../common/prefix-range.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { RevocationListService } from '../credentials/revocation-list.service.js';
import { isOnline } from '../tracker/providers.service.js';
import { SwarmCountsService } from '../tracker/swarm-counts.service.js';
import { SWARM_STORE, type SwarmStore } from '../tracker/swarm-store.js';
import { Resource } from '../resources/resource.entity.js';
import { User } from '../users/user.entity.js';
import type { EnrollDto, HeartbeatDto, NodeListQueryDto } from './dto/node.dto.js';
import type { EnrollmentToken } from './enrollment-token.entity.js';
import { EnrollmentTokensService } from './enrollment-tokens.service.js';
import { NodeHolding } from './node-holding.entity.js';
import { Node } from './node.entity.js';
import { TrafficService } from './traffic.service.js';
import { MetricsService } from '../metrics/metrics.service.js';

export function mapNode(n: Node, now = Date.now()): NodeSummary {
  return {
    id: n.id,
    name: n.name,
    role: n.role,
    site: n.site,
    addresses: n.addresses,
    online: isOnline(n, now),
    revoked: !!n.revokedAt,
    builtin: n.builtin,
    lastHeartbeatAt: n.lastHeartbeatAt?.toISOString() ?? null,
    resourcesHeld: n.resourcesHeld,
    uploadedBytes: n.uploadedBytes,
    downloadedBytes: n.downloadedBytes,
    createdAt: n.createdAt.toISOString(),
  };
}

const SORT_COLUMNS: Record<string, string> = {
  name: 'n.name',
  role: 'n.role',
  site: 'n.site',
  lastHeartbeat: 'n.lastHeartbeatAt',
  created: 'n.createdAt',
  uploaded: 'n.uploadedBytes',
};

@Injectable()
export class NodesService {
  private readonly logger = new Logger('Nodes');

  constructor(
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SWARM_STORE) private readonly swarm: SwarmStore,
    private readonly credentials: CredentialsService,
    private readonly revocations: RevocationListService,
    private readonly counts: SwarmCountsService,
    private readonly traffic: TrafficService,
    private readonly metrics: MetricsService,
    private readonly enrollmentTokens: EnrollmentTokensService,
  ) {}

  /**
   * Enrolls with an enrollment token (any role it allows), or, for role
   * `client` only, with the caller's own user token: downloaders need a node credential
   * for the peer handshake, but only an admin's token can make a seed server.
   *
   * Everything that can refuse an enrollment is checked before the token is claimed, and
   * the claim and the new node commit together: a refused or failed enrollment leaves
   * the token's use untaken, and of enrollments racing for a token's last use exactly one wins.
   */
  async enroll(dto: EnrollDto, user: AuthenticatedUser | null): Promise<EnrollResponse> {
    const nodeId = randomUUID();
    let site = dto.site ?? null;
    let enrolledBy: string;
    let token: EnrollmentToken | null = null;
    if (dto.token) {
      token = await this.enrollmentTokens.usable(dto.token);
      if (token.role !== dto.role && !(token.role === 'seed' && dto.role === 'client')) {
        throw new ForbiddenException({
          code: 'role_not_allowed',
          message: `this token enrolls role ${token.role}`,
          errors: { role: `must be ${token.role}` },
        });
      }
      site = site ?? token.site;
      enrolledBy = token.createdBy;
    } else if (user) {
      if (dto.role !== 'client') {
        throw new ForbiddenException({
          code: 'role_not_allowed',
          message: 'a seed server needs an enrollment token from an admin',
          errors: { role: 'must be client without an enrollment token' },
        });
      }
      enrolledBy = user.id;
    } else {
      throw new UnauthorizedException({
        code: 'unauthorized',
        message: 'an enrollment token or a user access token is required',
      });
    }
    const node = this.nodes.create({
      id: nodeId,
      name: dto.name,
      role: dto.role,
      site,
      addresses: dto.addresses,
      publicKeyX: dto.publicKey.x,
      enrolledBy,
      selfEnrolled: !token,
      lastHeartbeatAt: null,
      revokedAt: null,
    });
    const use = await this.db.transaction(async (em) => {
      const taken = token ? await this.enrollmentTokens.claim(em, token, nodeId) : null;
      if (!token) await this.assertBelowNodeCap(em, user!);
      await em.save(node);
      return taken;
    });
    if (token && use !== null) await this.enrollmentTokens.recordUse(token, nodeId, use);
    const { credential, expiresAt } = await this.issueCredential(node);
    this.logger.log(`node ${node.name} (${node.id}) enrolled as ${node.role}${site ? ` at site ${site}` : ''}`);
    return {
      nodeId,
      credential,
      credentialExpiresAt: expiresAt.toISOString(),
      jwksUrl: `${this.config.publicUrl}${JWKS_PATH}`,
      trackerUrl: `${this.config.publicUrl}/api/tracker/announce`,
    };
  }

  /**
   * SHOAL_MAX_NODES_PER_USER bounds the nodes a user makes with their own login (revoked
   * ones do not count). On MySQL the user's row is locked first, so concurrent
   * enrollments of one user are counted one after the other; SQLite has one writer.
   */
  private async assertBelowNodeCap(em: EntityManager, user: AuthenticatedUser): Promise<void> {
    if (this.db.options.type === 'mysql') {
      await em.findOne(User, { where: { id: user.id }, lock: { mode: 'pessimistic_write' } });
    }
    const max = this.config.maxNodesPerUser;
    const enrolled = await em.count(Node, { where: { enrolledBy: user.id, selfEnrolled: true, revokedAt: IsNull() } });
    if (enrolled >= max) {
      throw new ConflictException({
        code: 'node_limit_reached',
        message:
          `user ${user.username} already has ${enrolled} enrolled nodes, the most allowed (SHOAL_MAX_NODES_PER_USER=${max}); ` +
          'an admin can revoke the ones no longer in use',
      });
    }
  }

  async heartbeat(
    principal: AuthenticatedNode,
    dto: HeartbeatDto,
    currentCredentialIssuedAt?: number,
    agentVersion: string | null = null,
  ): Promise<HeartbeatResponse> {
    this.metrics.heartbeats.inc({ role: principal.role });
    const node = await this.nodes.findOneBy({ id: principal.id });
    if (!node || node.revokedAt)
      throw new UnauthorizedException({ code: 'node_revoked', message: 'this node has been revoked' });
    // A client node is its user's: once the user is disabled it gets no renewal, and is
    // revoked so its peers learn to refuse it and the tickets it holds (even if the user
    // was disabled before nodes were revoked with their user).
    if (node.role === 'client' && node.enrolledBy) {
      const owner = await this.db.getRepository(User).findOneBy({ id: node.enrolledBy, disabled: false });
      if (!owner) {
        await this.revoke(node.id);
        throw new UnauthorizedException({
          code: 'node_revoked',
          message: 'this node has been revoked: the user who enrolled it is disabled or gone',
        });
      }
    }

    // Agents report counters since they started; a counter lower than last time means a restart.
    const upDelta =
      dto.uploadedBytes >= node.lastReportedUploaded
        ? dto.uploadedBytes - node.lastReportedUploaded
        : dto.uploadedBytes;
    const downDelta =
      dto.downloadedBytes >= node.lastReportedDownloaded
        ? dto.downloadedBytes - node.lastReportedDownloaded
        : dto.downloadedBytes;
    const holdings = dedupeHoldings(dto.holdings);
    const existing = holdings.length
      ? new Set(
          (
            await this.db
              .getRepository(Resource)
              .find({ select: { id: true }, where: { id: In(holdings.map((h) => h.resourceId)) } })
          ).map((r) => r.id),
        )
      : new Set<string>();
    const known = holdings.filter((h) => existing.has(h.resourceId));

    const previous = await this.db.transaction(async (em) => {
      const before = await em.find(NodeHolding, { where: { nodeId: node.id } });
      await em.delete(NodeHolding, { nodeId: node.id });
      for (let i = 0; i < known.length; i += 500) {
        await em.insert(
          NodeHolding,
          known.slice(i, i + 500).map((h) => ({ nodeId: node.id, ...h })),
        );
      }
      await em.update(
        Node,
        { id: node.id },
        {
          lastHeartbeatAt: new Date(),
          leftAt: dto.leaving ? new Date() : null,
          agentVersion: agentVersion ?? node.agentVersion,
          addresses: dto.addresses ?? node.addresses,
          uploadedBytes: node.uploadedBytes + upDelta,
          downloadedBytes: node.downloadedBytes + downDelta,
          lastReportedUploaded: dto.uploadedBytes,
          lastReportedDownloaded: dto.downloadedBytes,
          resourcesHeld: known.filter((h) => h.complete).length,
        },
      );
      return before;
    });
    // Going offline or coming back changes the counts of everything it holds.
    const presenceChanged = !isOnline(node) || dto.leaving === true;
    for (const h of known)
      if (presenceChanged || !previous.some((p) => p.resourceId === h.resourceId && p.complete === h.complete))
        this.counts.markDirty(h.resourceId);
    for (const p of previous)
      if (!existing.has(p.resourceId) || !known.some((h) => h.resourceId === p.resourceId))
        this.counts.markDirty(p.resourceId);
    if (upDelta > 0) await this.traffic.add(node.role, upDelta);

    const response: HeartbeatResponse = {
      revokedNodeIds: await this.revocations.recentlyRevoked(),
      intervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
    };
    const halfLife = TOKEN_LIFETIMES.nodeCredentialSeconds / 2;
    if (currentCredentialIssuedAt === undefined || Date.now() / 1000 - currentCredentialIssuedAt > halfLife) {
      const renewed = await this.issueCredential(node);
      response.credential = renewed.credential;
      response.credentialExpiresAt = renewed.expiresAt.toISOString();
    }
    return response;
  }

  /**
   * The node row of this server's built-in seed: created on first start, its key and
   * addresses refreshed on every start. Returns null when an admin revoked it.
   */
  async registerBuiltinSeed(
    nodeId: string | null,
    publicKeyX: string,
    addresses: string[],
  ): Promise<{ node: Node; credential: string } | null> {
    let node = nodeId ? await this.nodes.findOneBy({ id: nodeId }) : null;
    if (node?.revokedAt) return null;
    if (!node) {
      node = this.nodes.create({
        id: randomUUID(),
        name: 'builtin-seed',
        role: 'seed',
        builtin: true,
        site: null,
        addresses,
        publicKeyX,
        enrolledBy: null,
        lastHeartbeatAt: null,
        revokedAt: null,
      });
    } else {
      node.addresses = addresses;
      node.publicKeyX = publicKeyX;
    }
    await this.nodes.save(node);
    return { node, credential: (await this.issueCredential(node)).credential };
  }

  async issueCredentialFor(nodeId: string): Promise<string> {
    return (await this.issueCredential(await this.getOrFail(nodeId))).credential;
  }

  async list(query: NodeListQueryDto): Promise<Page<NodeSummary>> {
    const qb = this.nodes.createQueryBuilder('n');
    const term = query.q?.trim();
    if (term) {
      const [from, to] = prefixRange(term);
      qb.andWhere('n.name >= :from AND n.name < :to', { from, to });
    }
    if (query.role) qb.andWhere('n.role = :role', { role: query.role });
    const onlineSince = new Date(Date.now() - NODE_OFFLINE_AFTER_SECONDS * 1000);
    if (query.online === 'true')
      qb.andWhere('n.revokedAt IS NULL AND n.leftAt IS NULL AND n.lastHeartbeatAt > :onlineSince', { onlineSince });
    if (query.online === 'false')
      qb.andWhere(
        '(n.revokedAt IS NOT NULL OR n.leftAt IS NOT NULL OR n.lastHeartbeatAt IS NULL OR n.lastHeartbeatAt <= :onlineSince)',
        { onlineSince },
      );
    const sort = query.sort ?? 'name';
    const desc = sort.startsWith('-');
    qb.orderBy(SORT_COLUMNS[sort.replace(/^-/, '')], desc ? 'DESC' : 'ASC').addOrderBy('n.id', 'ASC');
    qb.skip((query.page - 1) * query.size).take(query.size);
    const [rows, total] = await qb.getManyAndCount();
    const now = Date.now();
    return { items: rows.map((n) => mapNode(n, now)), total, page: query.page, size: query.size };
  }

  async getOrFail(id: string): Promise<Node> {
    const node = await this.nodes.findOneBy({ id });
    if (!node) throw new NotFoundException({ code: 'node_not_found', message: `no node ${id}` });
    return node;
  }

  async holdings(nodeId: string): Promise<NodeHolding[]> {
    return this.db.getRepository(NodeHolding).find({ where: { nodeId }, take: 1000 });
  }

  /** A node's page: what it is, where it runs, and what its last heartbeat said it holds. */
  async detail(id: string): Promise<NodeDetail> {
    const node = await this.getOrFail(id);
    const holdings = await this.db
      .getRepository(NodeHolding)
      .createQueryBuilder('h')
      .innerJoin(Resource, 'r', 'r.id = h.resourceId')
      .select(['h.resourceId AS resourceId', 'r.name AS name', 'r.pieceCount AS pieceCount'])
      .addSelect(['h.complete AS complete', 'h.piecesHeld AS piecesHeld'])
      .where('h.nodeId = :id', { id })
      .orderBy('r.name', 'ASC')
      .limit(1000)
      .getRawMany<{ resourceId: string; name: string; pieceCount: unknown; complete: unknown; piecesHeld: unknown }>();
    return {
      ...mapNode(node),
      agentVersion: node.agentVersion,
      leftAt: node.leftAt?.toISOString() ?? null,
      holdings: holdings.map((h) => ({
        resourceId: h.resourceId,
        name: h.name,
        // Raw rows: SQLite gives 0/1 for booleans, mysql2 strings for BIGINT.
        complete: Boolean(Number(h.complete)),
        piecesHeld: Number(h.piecesHeld),
        pieceCount: Number(h.pieceCount),
      })),
    };
  }

  async revoke(id: string): Promise<Node> {
    const node = await this.getOrFail(id);
    if (node.builtin) {
      throw new ConflictException({
        code: 'builtin_seed',
        message: 'the built-in seed cannot be revoked; switch it off with SHOAL_BUILTIN_SEED=off',
      });
    }
    if (!node.revokedAt) {
      node.revokedAt = new Date();
      await this.nodes.update({ id }, { revokedAt: node.revokedAt });
      this.revocations.markRevoked(id);
      await this.swarm.removeNode(id);
      for (const h of await this.holdings(id)) this.counts.markDirty(h.resourceId);
      this.logger.log(`node ${node.name} (${id}) revoked`);
    }
    return node;
  }

  private async issueCredential(node: Node) {
    return this.credentials.issueNodeCredential({
      sub: node.id,
      name: node.name,
      role: node.role,
      site: node.site,
      ...(node.selfEnrolled && node.enrolledBy ? { own: node.enrolledBy } : {}),
      cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: node.publicKeyX } },
    });
  }

  /**
   * Revokes every client node the user enrolled (with their login, or with an enrollment
   * token they made): called when the user is disabled. Seed servers are left alone: they
   * serve the whole company, whoever made their token. Permanent like any revocation:
   * peers keep refusing a revoked node, so a re-enabled user enrolls their machines again.
   */
  async revokeClientNodesOf(userId: string): Promise<Node[]> {
    const nodes = await this.nodes.find({
      where: { enrolledBy: userId, revokedAt: IsNull(), role: 'client', builtin: false },
    });
    for (const n of nodes) await this.revoke(n.id);
    return nodes;
  }
}

function dedupeHoldings<T extends { resourceId: string }>(holdings: T[]): T[] {
  const byId = new Map<string, T>();
  for (const h of holdings) byId.set(h.resourceId, h);
  return [...byId.values()];
}
