import type { ResourceDetail, ResourceSummary } from '@shoal/contract';
import type { Node } from '../../nodes/node.entity.js';
import { isOnline, toPeerInfo } from '../../tracker/providers.service.js';
import type { SwarmMember } from '../../tracker/swarm-store.js';
import type { Resource } from '../resource.entity.js';

export function mapResourceSummary(r: Resource): ResourceSummary {
  return {
    id: r.id,
    contentId: r.contentId,
    name: r.name,
    description: r.description,
    tags: r.tags,
    size: r.totalSize,
    fileCount: r.fileCount,
    seedCount: r.seedCount,
    downloaderCount: r.downloaderCount,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/**
 * The detail page: the resource, the nodes holding all of it (from their heartbeats) and
 * the swarm members still downloading (from their announces).
 */
export function mapResourceDetail(
  r: Resource,
  holders: { node: Node; complete: boolean }[],
  members: SwarmMember[],
  now = Date.now(),
): ResourceDetail {
  return {
    ...mapResourceSummary(r),
    pieceSize: r.pieceSize,
    pieceCount: r.pieceCount,
    files: r.files,
    publishedBy: r.publishedBy,
    // Seed servers are listed online or not (an offline one is worth knowing about);
    // downloaders count as sharing only while they are online with all of it.
    providers: holders
      .filter((h) => h.complete && h.node.role === 'seed')
      .map(({ node }) => ({
        ...toPeerInfo(node, true),
        online: isOnline(node, now),
        lastHeartbeatAt: node.lastHeartbeatAt?.toISOString() ?? null,
      })),
    sharing: holders
      .filter((h) => h.complete && h.node.role === 'client' && isOnline(h.node, now))
      .map(({ node }) => toPeerInfo(node, true)),
    downloaders: members
      .filter((m) => m.left > 0)
      .map((m) => ({
        nodeId: m.nodeId,
        name: m.name,
        role: m.role,
        site: m.site,
        addresses: m.addresses,
        complete: false,
      })),
  };
}
