import { Controller, ForbiddenException, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Manifest } from '@shoal/contract';
import { Repository } from 'typeorm';
import { CurrentNode, NodeAuth } from '../common/decorators.js';
import type { AuthenticatedNode } from '../common/principals.js';
import { Node } from '../nodes/node.entity.js';
import { User } from '../users/user.entity.js';
import { ManifestService } from './manifest.service.js';

/**
 * A manifest fetched with the node credential, on behalf of the user who enrolled the
 * node: `shoal get <id>` keeps working after the 15-minute user login has expired, for as
 * long as that user is active and the node is not revoked.
 */
@ApiTags('nodes')
@ApiBearerAuth()
@NodeAuth()
@Controller('api/nodes/manifests')
export class NodeManifestController {
  constructor(
    private readonly manifests: ManifestService,
    @InjectRepository(Node) private readonly nodes: Repository<Node>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  @Get(':resourceId')
  @ApiOperation({
    summary: 'A manifest for this node, on behalf of the user who enrolled it (node credential; audited)',
  })
  async manifest(
    @CurrentNode() principal: AuthenticatedNode,
    @Param('resourceId', new ParseUUIDPipe()) resourceId: string,
  ): Promise<Manifest> {
    const node = await this.nodes.findOneBy({ id: principal.id });
    const owner = node?.enrolledBy ? await this.users.findOneBy({ id: node.enrolledBy, disabled: false }) : null;
    if (!owner) {
      throw new ForbiddenException({
        code: 'owner_inactive',
        message: 'the user who enrolled this node is disabled or gone; log in again',
      });
    }
    return this.manifests.build(resourceId, { id: owner.id, username: owner.username, role: owner.role }, principal.id);
  }
}
