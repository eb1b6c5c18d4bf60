import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../../audit/audit.module.js';
import { ServerSecret } from '../../database/server-secret.entity.js';
import { UsersModule } from '../../users/users.module.js';
import { AuthModule } from '../auth.module.js';
import { OidcController } from './oidc.controller.js';
import { OidcService } from './oidc.service.js';

/** Single sign-on (SHOAL_OIDC_*): its routes answer 404 sso_not_configured when unset. */
@Module({
  imports: [TypeOrmModule.forFeature([ServerSecret]), AuthModule, UsersModule, AuditModule],
  controllers: [OidcController],
  providers: [OidcService],
})
export class OidcModule {}
