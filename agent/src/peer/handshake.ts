import { createHash } from 'node:crypto';
import type { NodeCredentialClaims, NodeRole } from '@shoal/contract';
import { PeerRefusedError, type CredentialVerifier } from '../identity/credential-verifier.js';
import { verifyWithJwk } from '../identity/node-keys.js';
import { encodeMessage } from '../protocol/frame-codec.js';
import type { HelloMessage } from '../protocol/messages.js';
import { WIRE } from '../protocol/wire-limits.js';
import { ownerOf } from '../identity/owner.js';

/** RFC 9266's exporter label for TLS 1.3 channel binding. */
export const CHANNEL_BINDING_LABEL = 'EXPORTER-Channel-Binding';
const AUTH_CONTEXT = 'shoal-peer-auth-v1';

export type HandshakeSide = 'initiator' | 'acceptor';

/** Who we are on the wire: the server-signed credential and the key it is bound to. */
export interface LocalIdentity {
  nodeId: string;
  credential: string;
  /** Ed25519 signature with the key named in the credential's cnf.jwk. */
  sign(data: Buffer): Buffer;
}

/** What one side says about the resource in its hello. */
export interface ResourceOffer {
  resourceId: string;
  /** Hex content id. */
  contentId: string;
  /** Our download ticket, or '' when we only provide this resource. */
  ticket: string;
}

/** A peer whose credential, key possession and (when shown) ticket were all verified. */
export interface VerifiedPeer {
  nodeId: string;
  name: string;
  role: NodeRole;
  site: string | null;
  /** It showed a valid ticket for this resource, or is a seed server (which may replicate). */
  mayDownload: boolean;
  /** Who answers for it when slots are shared (see swarm/peer-slots.ts). */
  owner: string;
  claims: NodeCredentialClaims;
}

/**
 * What each side signs: a fixed context, its own role (so a signature can't be reflected
 * back), and a hash over the TLS exporter and both hellos (which carry both nonces; the
 * initiator signs the acceptor's anonymous challenge, the acceptor its full hello with
 * credential, see docs/protocol.md 3.1). The exporter is unique to this TLS session, so the
 * signature proves nothing on any other connection: a captured handshake replayed by
 * another node, or relayed by a man in the middle running two TLS sessions, fails.
 */
export function authPayload(
  side: HandshakeSide,
  exporter: Buffer,
  initiatorHello: HelloMessage,
  acceptorHello: HelloMessage,
): Buffer {
  const transcript = createHash('sha256')
    .update(AUTH_CONTEXT)
    .update(exporter)
    .update(createHash('sha256').update(encodeMessage(initiatorHello)).digest())
    .update(createHash('sha256').update(encodeMessage(acceptorHello)).digest())
    .digest();
  return Buffer.concat([Buffer.from(`${AUTH_CONTEXT}\0${side}\0`), transcript]);
}

export function helloFor(identity: LocalIdentity, offer: ResourceOffer, nonce: Buffer): HelloMessage {
  return {
    type: 'hello',
    version: WIRE.protocolVersion,
    nonce,
    credential: identity.credential,
    resourceId: offer.resourceId,
    contentId: Buffer.from(offer.contentId, 'hex'),
    ticket: offer.ticket,
  };
}

/** A hello must speak our protocol version and of the resource this connection is about. */
export function checkSameResource(hello: HelloMessage, offer: ResourceOffer): void {
  if (hello.version !== WIRE.protocolVersion)
    throw new PeerRefusedError(
      `unsupported protocol version ${hello.version} (this agent speaks ${WIRE.protocolVersion})`,
    );
  if (hello.resourceId !== offer.resourceId || hello.contentId.toString('hex') !== offer.contentId) {
    throw new PeerRefusedError(`peer speaks of resource ${hello.resourceId}, not ${offer.resourceId}`);
  }
}

/** Checks a peer's hello: version, credential, revocation, and its ticket if it shows one. */
export async function verifyHello(
  hello: HelloMessage,
  offer: ResourceOffer,
  verifier: CredentialVerifier,
  ownNodeId: string,
): Promise<VerifiedPeer> {
  checkSameResource(hello, offer);
  const claims = await verifier.nodeCredential(hello.credential);
  if (claims.sub === ownNodeId) throw new PeerRefusedError('connected to itself');
  let mayDownload = claims.role === 'seed';
  if (hello.ticket) {
    await verifier.ticket(hello.ticket, {
      resourceId: offer.resourceId,
      contentId: offer.contentId,
      nodeId: claims.sub,
    });
    mayDownload = true;
  }
  return {
    nodeId: claims.sub,
    name: claims.name,
    role: claims.role,
    site: claims.site ?? null,
    mayDownload,
    owner: ownerOf(claims),
    claims,
  };
}

export function verifyAuth(peer: VerifiedPeer, payload: Buffer, signature: Buffer): void {
  if (!verifyWithJwk(peer.claims.cnf.jwk, payload, signature)) {
    throw new PeerRefusedError(`proof of possession failed for node ${peer.nodeId} (replayed or forged handshake)`);
  }
}
