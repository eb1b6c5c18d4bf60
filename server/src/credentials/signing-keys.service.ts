import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { SIGNED_CREDENTIAL_ALG, TOKEN_LIFETIMES } from '@shoal/contract';
import { Repository } from 'typeorm';
import { SigningKey } from './signing-key.entity.js';

type KeyLike = CryptoKey | Uint8Array;

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: KeyLike;
  privateKey: KeyLike | null;
  active: boolean;
}

/** How often an instance re-reads keys, so a rotation on one instance reaches the others. */
const RELOAD_INTERVAL_MS = 30_000;

/**
 * The server's Ed25519 signing keys: created at first start, persisted in the database
 * (shared by every instance), rotatable. Retired keys stay published in the JWKS for as
 * long as credentials they signed may still be valid.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private keys: LoadedKey[] = [];
  private loadedAt = 0;

  constructor(@InjectRepository(SigningKey) private readonly repo: Repository<SigningKey>) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    if (!this.keys.some((k) => k.active)) {
      await this.createKey();
      await this.reload();
    }
  }

  async rotate(): Promise<string> {
    const kid = await this.repo.manager.transaction(async (em) => {
      await em.update(SigningKey, { active: true }, { active: false, retiredAt: new Date() });
      return this.createKey(em.getRepository(SigningKey));
    });
    await this.reload();
    this.logger.log(`signing key rotated; new kid ${kid}`);
    return kid;
  }

  /** The key new credentials are signed with. */
  async activeKey(): Promise<{ kid: string; privateKey: KeyLike }> {
    await this.reloadIfStale();
    const key = this.keys.find((k) => k.active && k.privateKey);
    if (!key?.privateKey) throw new Error('no active signing key');
    return { kid: key.kid, privateKey: key.privateKey };
  }

  /** Public key by kid, for verifying credentials this server (or a sibling instance) signed. */
  async publicKey(kid: string): Promise<KeyLike | null> {
    let key = this.keys.find((k) => k.kid === kid);
    if (!key) {
      // A kid we do not know yet may come from a rotation on another instance.
      await this.reload();
      key = this.keys.find((k) => k.kid === kid);
    }
    return key?.publicKey ?? null;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.reloadIfStale();
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  private async reloadIfStale(): Promise<void> {
    if (Date.now() - this.loadedAt > RELOAD_INTERVAL_MS) await this.reload();
  }

  private async reload(): Promise<void> {
    const oldest = new Date(Date.now() - 1000 * TOKEN_LIFETIMES.nodeCredentialSeconds * 1.1);
    const rows = await this.repo.find({ order: { createdAt: 'DESC' } });
    const live = rows.filter((r) => r.active || (r.retiredAt && r.retiredAt > oldest));
    this.keys = await Promise.all(
      live.map(async (r) => {
        const publicJwk = JSON.parse(r.publicJwk) as JWK;
        return {
          kid: r.kid,
          publicJwk,
          publicKey: (await importJWK(publicJwk, SIGNED_CREDENTIAL_ALG)) as KeyLike,
          privateKey: r.active
            ? ((await importJWK(JSON.parse(r.privateJwk) as JWK, SIGNED_CREDENTIAL_ALG)) as KeyLike)
            : null,
          active: r.active,
        };
      }),
    );
    this.loadedAt = Date.now();
  }

  private async createKey(repo: Repository<SigningKey> = this.repo): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNED_CREDENTIAL_ALG, {
      crv: 'Ed25519',
      extractable: true,
    });
    const kid = randomBytes(12).toString('base64url');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNED_CREDENTIAL_ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNED_CREDENTIAL_ALG };
    await repo.insert({
      kid,
      publicJwk: JSON.stringify(publicJwk),
      privateJwk: JSON.stringify(privateJwk),
      active: true,
      retiredAt: null,
    });
    return kid;
  }
}
