import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Node } from '../nodes/node.entity.js';
import { CredentialsService } from './credentials.service.js';
import { JwksController } from './jwks.controller.js';
import { NodeProofService } from './node-proof.service.js';
import { RevocationListService } from './revocation-list.service.js';
import { SigningKeyAdminController } from './signing-key-admin.controller.js';
import { SigningKey } from './signing-key.entity.js';
import { SigningKeysService } from './signing-keys.service.js';
import { TrackerSessionService } from './tracker-session.service.js';
import { ServerSecret } from '../database/server-secret.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([SigningKey, Node, ServerSecret])],
  controllers: [JwksController, SigningKeyAdminController],
  providers: [SigningKeysService, CredentialsService, NodeProofService, RevocationListService, TrackerSessionService],
  exports: [SigningKeysService, CredentialsService, NodeProofService, RevocationListService, TrackerSessionService],
})
export class CredentialsModule {}
