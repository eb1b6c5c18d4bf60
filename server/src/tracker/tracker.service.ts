import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  ANNOUNCE_INTERVAL_SECONDS,
  LIMITS,
  SWARM_ENTRY_TTL_SECONDS,
  type AnnounceResponse,
  type PeerInfo,
} from '@shoal/contract';
import { Repository } from 'typeorm';
import type { AuthenticatedNode } from '../common/principals.js';
import { RevocationListService } from '../credentials/revocation-list.service.js';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { Node } from '../nodes/node.entity.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Resource } from '../resources/resource.entity.js';
import type { AnnounceDto } from './dto/announce.dto.js';
import { ProvidersService } from './providers.service.js';
import { SwarmCountsService } from './swarm-counts.service.js';
import { SWARM_STORE, type SwarmMember, type SwarmStore } from './swarm-store.js';

const KNOWN_CACHE_MS = 30_000;
const MAX_KNOWN = 100_000;

@Injectable()
export class TrackerService {
  /** Resource ids known to exist, and node addresses, so a steady announce costs no query. */
  private readonly knownResources = new Map<string, number>();
  private readonly nodeAddresses = new Map<string, { at: number; addresses: string[] }>();
  private readonly peers = new WeakMap<SwarmMember, PeerInfo>();

  constructor(
    @Inject(SWARM_STORE) private readonly swarm: SwarmStore,
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    @InjectRepository(NodeHolding) private readonly holdings: Repository<NodeHolding>,
    private readonly providers: ProvidersService,
    private readonly counts: SwarmCountsService,
    private readonly revocations: RevocationListService,
    private readonly metrics: MetricsService,
  ) {}

  async announce(node: AuthenticatedNode, req: AnnounceDto): Promise<AnnounceResponse> {
    this.metrics.announces.inc({ event: req.event });
    await this.assertResourceExists(req.resourceId);
    if (req.event === 'stopped') {
      await this.swarm.remove(req.resourceId, node.id);
      this.counts.markDirty(req.resourceId);
      return { intervalSeconds: ANNOUNCE_INTERVAL_SECONDS, peers: [] };
    }
    const addresses = req.addresses ?? (await this.enrolledAddresses(node.id));
    const countsChanged = await this.swarm.upsert(
      req.resourceId,
      { nodeId: node.id, name: node.name, role: node.role, site: node.site, addresses, left: req.left },
      SWARM_ENTRY_TTL_SECONDS,
    );
    // A steady announce of a known member changes no count; one after a server restart
    // (the swarm was empty) or a change of state does.
    if (req.event !== 'update' && req.left === 0) await this.recordCompleteHolding(node.id, req.resourceId);
    if (req.event !== 'update' || countsChanged) this.counts.markDirty(req.resourceId);
    const numWant = Math.min(req.numWant ?? LIMITS.maxPeersPerAnnounce, LIMITS.maxPeersPerAnnounce);
    return { intervalSeconds: ANNOUNCE_INTERVAL_SECONDS, peers: await this.peersFor(req.resourceId, node, numWant) };
  }

  /**
   * Seed servers and other swarm members, never the caller nor a revoked node, at most
   * `limit`: same-site peers first, then the rest, each group shuffled so load spreads.
   */
  async peersFor(
    resourceId: string,
    caller: { id: string; site: string | null } | null,
    limit: number,
  ): Promise<PeerInfo[]> {
    const [seeds, members] = await Promise.all([
      this.providers.onlineSeeds(resourceId),
      this.swarm.members(resourceId, limit * 4 + 1),
    ]);
    const eligible = (p: PeerInfo) =>
      p.nodeId !== caller?.id && p.addresses.length > 0 && !this.revocations.isRevoked(p.nodeId);
    const candidates: PeerInfo[] = [];
    for (const m of members) {
      const peer = this.peerOf(m);
      if (eligible(peer)) candidates.push(peer);
    }
    if (seeds.length) {
      const inSwarm = new Set(members.map((m) => m.nodeId));
      for (const s of seeds) if (!inSwarm.has(s.nodeId) && eligible(s)) candidates.push(s);
    }
    // Same-site peers to the front, then a random pick of `limit` in random order from
    // each group (a partial shuffle: only the places that are returned are drawn).
    let sameSite = 0;
    if (caller?.site) {
      for (let i = 0; i < candidates.length; i++) {
        if (candidates[i].site === caller.site) swap(candidates, i, sameSite++);
      }
    }
    const count = Math.min(limit, candidates.length);
    shuffleFront(candidates, 0, sameSite, Math.min(count, sameSite));
    if (count > sameSite) shuffleFront(candidates, sameSite, candidates.length, count - sameSite);
    candidates.length = count;
    return candidates;
  }

  /** True when the resource was seen to exist recently (no query): an announce for it cannot answer 404. */
  knowsResource(resourceId: string): boolean {
    const seenAt = this.knownResources.get(resourceId);
    return !!seenAt && Date.now() - seenAt < KNOWN_CACHE_MS;
  }

  /**
   * The peer entry of a swarm member, built once per member object (the in-process store
   * keeps a member's object while its announces change nothing), so a steady swarm costs
   * no allocation per peer and its JSON can be cached too (see announce-json.ts).
   */
  private peerOf(m: SwarmMember): PeerInfo {
    let peer = this.peers.get(m);
    if (!peer) {
      peer = {
        nodeId: m.nodeId,
        name: m.name,
        role: m.role,
        site: m.site,
        addresses: m.addresses,
        complete: m.left === 0,
      };
      this.peers.set(m, peer);
    }
    return peer;
  }

  private async assertResourceExists(resourceId: string): Promise<void> {
    if (this.knowsResource(resourceId)) return;
    if (!(await this.resources.existsBy({ id: resourceId }))) {
      throw new NotFoundException({ code: 'resource_not_found', message: `no resource ${resourceId}` });
    }
    if (this.knownResources.size >= MAX_KNOWN) this.knownResources.clear();
    this.knownResources.set(resourceId, Date.now());
  }

  /**
   * A node that announces it holds everything is a provider now, not only from its next
   * heartbeat (up to 30 s later): the catalog's seed count and manifests see it at once.
   */
  private async recordCompleteHolding(nodeId: string, resourceId: string): Promise<void> {
    const resource = await this.resources.findOne({
      select: { id: true, pieceCount: true },
      where: { id: resourceId },
    });
    if (!resource) return;
    await this.holdings.upsert({ nodeId, resourceId, complete: true, piecesHeld: resource.pieceCount }, [
      'nodeId',
      'resourceId',
    ]);
    this.providers.invalidate(resourceId);
  }

  forgetResource(resourceId: string): void {
    this.knownResources.delete(resourceId);
  }

  private async enrolledAddresses(nodeId: string): Promise<string[]> {
    const hit = this.nodeAddresses.get(nodeId);
    if (hit && Date.now() - hit.at < KNOWN_CACHE_MS) return hit.addresses;
    const node = await this.nodes.findOne({ select: { id: true, addresses: true }, where: { id: nodeId } });
    const addresses = node?.addresses ?? [];
    if (this.nodeAddresses.size >= MAX_KNOWN) this.nodeAddresses.clear();
    this.nodeAddresses.set(nodeId, { at: Date.now(), addresses });
    return addresses;
  }
}

/** Puts a uniformly random choice of `count` items of `items[from..to)`, in random order, at `items[from..from+count)`. */
function shuffleFront<T>(items: T[], from: number, to: number, count: number): void {
  for (let i = from; i < from + count; i++) swap(items, i, i + Math.floor(Math.random() * (to - i)));
}

function swap<T>(items: T[], i: number, j: number): void {
  const t = items[i];
  items[i] = items[j];
  items[j] = t;
}
