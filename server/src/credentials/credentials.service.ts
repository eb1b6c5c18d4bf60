import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import {
  SIGNED_CREDENTIAL_ALG,
  TOKEN_ISSUER,
  TOKEN_LIFETIMES,
  TOKEN_TYPES,
  type DownloadTicketClaims,
  type NodeCredentialClaims,
} from '@shoal/contract';
import { SigningKeysService } from './signing-keys.service.js';

export class CredentialError extends Error {}

/** Verified node credentials kept in memory (oldest dropped first). */
const VERIFIED_CACHE_SIZE = 50_000;

/**
 * Issues and verifies the EdDSA-signed credentials agents show each other: node
 * credentials (bound to the node's key) and download tickets.
 */
@Injectable()
export class CredentialsService {
  private readonly verified = new Map<string, NodeCredentialClaims>();

  constructor(private readonly keys: SigningKeysService) {}

  async issueNodeCredential(
    claims: Omit<NodeCredentialClaims, 'typ' | 'iss' | 'iat' | 'exp'>,
  ): Promise<{ credential: string; expiresAt: Date }> {
    return this.sign({ ...claims, typ: TOKEN_TYPES.node }, TOKEN_LIFETIMES.nodeCredentialSeconds);
  }

  async issueDownloadTicket(
    claims: Omit<DownloadTicketClaims, 'typ' | 'iss' | 'iat' | 'exp'>,
  ): Promise<{ ticket: string; expiresAt: Date }> {
    const { credential, expiresAt } = await this.sign(
      { ...claims, typ: TOKEN_TYPES.ticket },
      TOKEN_LIFETIMES.downloadTicketSeconds,
    );
    return { ticket: credential, expiresAt };
  }

  /**
   * Verifies signature, algorithm, issuer, expiry and type. Throws CredentialError.
   * An agent shows the same credential on every announce and heartbeat, so a verified one
   * is remembered (until it expires) and the signature check is not repeated per request.
   */
  async verifyNodeCredential(token: string): Promise<NodeCredentialClaims> {
    const known = this.verified.get(token);
    if (known && known.exp * 1000 > Date.now()) return known;
    const claims = await this.verify(token);
    if (claims.typ !== TOKEN_TYPES.node || typeof claims.sub !== 'string' || typeof claims.role !== 'string') {
      throw new CredentialError('not a node credential');
    }
    const credential = claims as unknown as NodeCredentialClaims;
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, credential);
    return credential;
  }

  /**
   * The claims of a node credential already verified and not yet expired, without any
   * check (undefined otherwise): for the tracker's fast path, which passes every other
   * request on to the guard.
   */
  cachedNodeCredential(token: string): NodeCredentialClaims | undefined {
    const known = this.verified.get(token);
    return known && known.exp * 1000 > Date.now() ? known : undefined;
  }

  private async verify(token: string): Promise<Record<string, unknown>> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== SIGNED_CREDENTIAL_ALG) throw new CredentialError(`algorithm ${String(header.alg)} refused`);
      kid = header.kid;
    } catch (err) {
      if (err instanceof CredentialError) throw err;
      throw new CredentialError('malformed token');
    }
    const key = kid ? await this.keys.publicKey(kid) : null;
    if (!key) throw new CredentialError('signed by an unknown key');
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: [SIGNED_CREDENTIAL_ALG], issuer: TOKEN_ISSUER });
      return payload;
    } catch (err) {
      throw new CredentialError(`invalid credential: ${(err as Error).message}`);
    }
  }

  private async sign(
    payload: Record<string, unknown>,
    lifetimeSeconds: number,
  ): Promise<{ credential: string; expiresAt: Date }> {
    const { kid, privateKey } = await this.keys.activeKey();
    const now = Math.floor(Date.now() / 1000);
    const exp = now + lifetimeSeconds;
    const credential = await new SignJWT(payload)
      .setProtectedHeader({ alg: SIGNED_CREDENTIAL_ALG, kid, typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { credential, expiresAt: new Date(exp * 1000) };
  }
}
