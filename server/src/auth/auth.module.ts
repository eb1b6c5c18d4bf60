import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokensModule } from '../api-tokens/api-tokens.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { ServerSecret } from '../database/server-secret.entity.js';
import { UsersModule } from '../users/users.module.js';
import { AccessGuard } from './access.guard.js';
import { AuthController } from './auth.controller.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { MeController } from './me.controller.js';
import { UserTokensService } from './user-tokens.service.js';

@Module({
  imports: [
    PassportModule,
    JwtModule.register({}),
    TypeOrmModule.forFeature([ServerSecret]),
    UsersModule,
    CredentialsModule,
    AuditModule,
    ApiTokensModule,
  ],
  controllers: [AuthController, MeController],
  providers: [UserTokensService, JwtStrategy, LoginThrottleService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [UserTokensService],
})
export class AuthModule {}
