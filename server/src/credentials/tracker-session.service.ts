import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { credentialHash, TRACKER_SESSION, verifyTrackerSessionHeader, type TrackerSessionGrant } from '@shoal/contract';
import { createHmac } from 'node:crypto';
import { Repository } from 'typeorm';
import { loadOrCreateSecret } from '../database/server-secret.js';
import { ServerSecret } from '../database/server-secret.entity.js';

const SECRET_NAME = 'tracker-session-hmac';

/**
 * Grants and checks tracker sessions (contract/src/tracker-session.ts). A grant's key is
 * derived from a server secret (kept in the database, so every instance derives the
 * same keys), the node id, the hash of the credential it was granted with and its expiry:
 * nothing is stored per session, and a key is worth nothing with another credential.
 */
@Injectable()
export class TrackerSessionService implements OnModuleInit {
  private secret: Buffer | null = null;

  constructor(@InjectRepository(ServerSecret) private readonly secrets: Repository<ServerSecret>) {}

  async onModuleInit(): Promise<void> {
    this.secret = Buffer.from(await loadOrCreateSecret(this.secrets, SECRET_NAME), 'base64url');
  }

  /** A grant for the node a DPoP proof has just authenticated, with the credential it sent. */
  grant(nodeId: string, credential: string, now = Math.floor(Date.now() / 1000)): TrackerSessionGrant {
    const expiresAt = now + TRACKER_SESSION.lifetimeSeconds;
    return { key: this.keyFor(nodeId, credential, expiresAt).toString('base64url'), expiresAt };
  }

  /** Checks an announce's Shoal-Tracker-Session header; returns its jti (still to be checked for replay). */
  verify(header: string, nodeId: string, credential: string): string {
    const ath = credentialHash(credential);
    return verifyTrackerSessionHeader(header, (exp) => this.keyOf(nodeId, ath, exp)).jti;
  }

  private keyFor(nodeId: string, credential: string, exp: number): Buffer {
    return this.keyOf(nodeId, credentialHash(credential), exp);
  }

  private keyOf(nodeId: string, ath: string, exp: number): Buffer {
    if (!this.secret) throw new Error('tracker session key not loaded');
    return createHmac('sha256', this.secret).update(`shoal tracker session\n${nodeId}\n${ath}\n${exp}`).digest();
  }
}
