import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { NODE_OFFLINE_AFTER_SECONDS, type PeerInfo } from '@shoal/contract';
import { Repository } from 'typeorm';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { Node } from '../nodes/node.entity.js';

/** How long a resource's seed list is reused; announces are far more frequent than heartbeats. */
const CACHE_MS = 2_000;
const MAX_CACHED_RESOURCES = 10_000;

/** Online seed servers that hold a resource completely (from their heartbeats). */
@Injectable()
export class ProvidersService {
  private readonly cache = new Map<string, { at: number; seeds: PeerInfo[] }>();

  constructor(@InjectRepository(NodeHolding) private readonly holdings: Repository<NodeHolding>) {}

  async onlineSeeds(resourceId: string): Promise<PeerInfo[]> {
    const hit = this.cache.get(resourceId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.seeds;
    const nodes = await this.holdersQuery(resourceId).andWhere('n.role = :seed', { seed: 'seed' }).getMany();
    const seeds = nodes.map((n) => toPeerInfo(n, true));
    if (this.cache.size >= MAX_CACHED_RESOURCES) this.cache.clear();
    this.cache.set(resourceId, { at: Date.now(), seeds });
    return seeds;
  }

  countOnlineSeeds(resourceId: string): Promise<number> {
    return this.holdersQuery(resourceId).andWhere('n.role = :seed', { seed: 'seed' }).getCount();
  }

  /** Every node holding it (any role, online or not) with its holding, for the detail page. */
  async allHolders(resourceId: string): Promise<{ node: Node; complete: boolean }[]> {
    const rows = await this.holdings
      .createQueryBuilder('h')
      .innerJoinAndMapOne('h.node', Node, 'n', 'n.id = h.nodeId')
      .where('h.resourceId = :resourceId', { resourceId })
      .andWhere('n.revokedAt IS NULL')
      .orderBy('n.name', 'ASC')
      .take(500)
      .getMany();
    return (rows as (NodeHolding & { node: Node })[]).map((r) => ({ node: r.node, complete: r.complete }));
  }

  invalidate(resourceId: string): void {
    this.cache.delete(resourceId);
  }

  private holdersQuery(resourceId: string) {
    const onlineSince = new Date(Date.now() - NODE_OFFLINE_AFTER_SECONDS * 1000);
    return this.holdings.manager
      .createQueryBuilder(Node, 'n')
      .innerJoin(NodeHolding, 'h', 'h.nodeId = n.id')
      .where('h.resourceId = :resourceId', { resourceId })
      .andWhere('h.complete = :complete', { complete: true })
      .andWhere('n.revokedAt IS NULL AND n.leftAt IS NULL')
      .andWhere('n.lastHeartbeatAt > :onlineSince', { onlineSince })
      .take(200);
  }
}

/** Not revoked, not signed off, and heartbeating: what every "online" in the server means. */
export function isOnline(node: Pick<Node, 'lastHeartbeatAt' | 'revokedAt' | 'leftAt'>, now = Date.now()): boolean {
  return (
    !node.revokedAt &&
    !node.leftAt &&
    !!node.lastHeartbeatAt &&
    node.lastHeartbeatAt.getTime() > now - NODE_OFFLINE_AFTER_SECONDS * 1000
  );
}

export function toPeerInfo(n: Node, complete: boolean): PeerInfo {
  return { nodeId: n.id, name: n.name, role: n.role, site: n.site, addresses: n.addresses, complete };
}
