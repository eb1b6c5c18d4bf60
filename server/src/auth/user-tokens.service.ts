import { Injectable, OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { TOKEN_ISSUER, TOKEN_LIFETIMES, TOKEN_TYPES, USER_TOKEN_ALG, type UserAccessClaims } from '@shoal/contract';
import { Repository } from 'typeorm';
import { ServerSecret } from '../database/server-secret.entity.js';
import { loadOrCreateSecret } from '../database/server-secret.js';
import type { AuthenticatedUser } from '../common/principals.js';

const SECRET_NAME = 'user-token-hmac';

/**
 * Short-lived user access tokens (HS256, verified only by this server). The HMAC key is
 * generated at first start and kept in the database so every instance shares it.
 */
@Injectable()
export class UserTokensService implements OnModuleInit {
  private secret: string | null = null;
  private hmacKey: KeyObject | null = null;

  constructor(
    private readonly jwt: JwtService,
    @InjectRepository(ServerSecret) private readonly secrets: Repository<ServerSecret>,
  ) {}

  async onModuleInit(): Promise<void> {
    this.load(await loadOrCreateSecret(this.secrets, SECRET_NAME));
  }

  private load(secret: string): void {
    this.secret = secret;
    this.hmacKey = createSecretKey(Buffer.from(secret));
  }

  get key(): string {
    if (!this.secret) throw new Error('user token key not loaded');
    return this.secret;
  }

  /**
   * The same key as a KeyObject, for verifying on every request: given a string,
   * jsonwebtoken first tries it as a PEM public key and builds the secret key only after
   * that throws, which made the failed parse most of what an authenticated request cost.
   */
  get verificationKey(): KeyObject {
    if (!this.hmacKey) throw new Error('user token key not loaded');
    return this.hmacKey;
  }

  /**
   * A token for a session that began at `authTime` (seconds; default: now, a fresh login),
   * valid while the user's session generation stays `user.sessionGeneration`.
   */
  async issue(
    user: AuthenticatedUser & { sessionGeneration: number },
    authTime = Math.floor(Date.now() / 1000),
  ): Promise<{ accessToken: string; expiresAt: Date }> {
    const claims: Omit<UserAccessClaims, 'iat' | 'exp'> = {
      typ: TOKEN_TYPES.user,
      sub: user.id,
      username: user.username,
      role: user.role,
      auth_time: authTime,
      gen: user.sessionGeneration,
    };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: this.key,
      algorithm: USER_TOKEN_ALG,
      expiresIn: TOKEN_LIFETIMES.userAccessSeconds,
      issuer: TOKEN_ISSUER,
    });
    return { accessToken, expiresAt: new Date(Date.now() + TOKEN_LIFETIMES.userAccessSeconds * 1000) };
  }

  /** Verifies a user token outside passport (e.g. the optional token on enrollment). */
  async verify(token: string): Promise<UserAccessClaims | null> {
    try {
      const claims = await this.jwt.verifyAsync<UserAccessClaims>(token, {
        secret: this.key,
        algorithms: [USER_TOKEN_ALG],
        issuer: TOKEN_ISSUER,
      });
      return claims.typ === TOKEN_TYPES.user ? claims : null;
    } catch {
      return null;
    }
  }
}
