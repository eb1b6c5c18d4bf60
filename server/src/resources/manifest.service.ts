import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LIMITS, MANIFEST_FILE_SUFFIX, MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest } from '@shoal/contract';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { RevocationListService } from '../credentials/revocation-list.service.js';
import { Node } from '../nodes/node.entity.js';
import { ProvidersService } from '../tracker/providers.service.js';
import { TrackerService } from '../tracker/tracker.service.js';
import { ResourcesService } from './resources.service.js';

/** Builds the `.shoal.json` a user downloads: metadata, where to get it, and a signed ticket. */
@Injectable()
export class ManifestService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    private readonly resources: ResourcesService,
    private readonly providers: ProvidersService,
    private readonly tracker: TrackerService,
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
    private readonly revocations: RevocationListService,
  ) {}

  /**
   * `ownNodeOnly`: the ticket may be bound only to a node the user enrolled (an admin's
   * to any node): a user asking for a manifest names the node it will download with.
   */
  async build(
    resourceId: string,
    user: AuthenticatedUser,
    nodeId?: string,
    opts: { ownNodeOnly?: boolean } = {},
  ): Promise<Manifest> {
    const r = await this.resources.getOrFail(resourceId);
    const caller = nodeId ? await this.nodes.findOneBy({ id: nodeId }) : null;
    if (nodeId && !caller) {
      throw new NotFoundException({
        code: 'node_not_found',
        message: `no node ${nodeId}`,
        errors: { node: 'unknown node' },
      });
    }
    // A machine someone enrolled with their own login is theirs; one ops enrolled with a token
    // is the organisation's (a shared or managed machine) and any user may fetch to it.
    if (caller && opts.ownNodeOnly && user.role !== 'admin' && caller.selfEnrolled && caller.enrolledBy !== user.id) {
      throw new ForbiddenException({
        code: 'node_not_yours',
        message: `node ${caller.id} is another user's machine: a ticket can be bound only to your own nodes`,
        errors: { node: "another user's machine" },
      });
    }
    if (caller?.revokedAt) {
      throw new ForbiddenException({
        code: 'node_revoked',
        message: `node ${caller.id} has been revoked`,
        errors: { node: 'revoked' },
      });
    }
    const [seeds, swarm] = await Promise.all([
      this.providers.onlineSeeds(r.id),
      this.tracker.peersFor(r.id, caller ? { id: caller.id, site: caller.site } : null, LIMITS.maxPeersPerAnnounce),
    ]);
    const seedIds = new Set(seeds.map((s) => s.nodeId));
    const { ticket } = await this.credentials.issueDownloadTicket({
      sub: user.id,
      res: r.id,
      cid: r.contentId,
      ...(nodeId ? { node: nodeId } : {}),
    });
    await this.audit.record('manifest.download', user, { resourceId: r.id, nodeId });
    return {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      resourceId: r.id,
      contentId: r.contentId,
      name: r.name,
      description: r.description,
      totalSize: r.totalSize,
      pieceSize: r.pieceSize,
      files: r.files,
      pieceHashes: this.resources.pieceHashes(r),
      serverUrl: this.config.publicUrl,
      trackerUrl: `${this.config.publicUrl}/api/tracker/announce`,
      // Same-site seed servers first: agents dial in this order.
      // The seed list is cached for a moment; a seed revoked meanwhile must not be named.
      seeds: seeds
        .filter((s) => s.nodeId !== nodeId && !this.revocations.isRevoked(s.nodeId))
        .sort(
          (a, b) =>
            Number(b.site === caller?.site && !!caller?.site) - Number(a.site === caller?.site && !!caller?.site),
        )
        .slice(0, LIMITS.maxPeersPerAnnounce),
      peers: swarm.filter((p) => !seedIds.has(p.nodeId)),
      ticket,
      issuedAt: new Date().toISOString(),
    };
  }
}

/** A file name safe in a Content-Disposition header on every OS. */
export function manifestFileName(name: string): string {
  const safe =
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 150) || 'resource';
  return `${safe}${MANIFEST_FILE_SUFFIX}`;
}
