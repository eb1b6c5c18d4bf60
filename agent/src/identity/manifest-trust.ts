import { computeContentId, type Manifest } from '@shoal/contract';
import { PeerRefusedError } from './credential-verifier.js';

/** Why a manifest was refused: always one sentence a user can act on. */
export class ManifestRefusedError extends Error {
  constructor(reason: string) {
    super(`manifest refused: ${reason}`);
    this.name = 'ManifestRefusedError';
  }
}

export interface ManifestTrustAnchor {
  /** Origins this agent talks to: its enrolled server (and its tracker), plus any explicitly trusted ones. */
  trustedOrigins: readonly string[];
  /** This node's id: a ticket bound to another node is refused. */
  nodeId: string;
  /** Verifies a ticket against the enrolled server's keys (signature, typ, expiry, res, cid, node). */
  verifyTicket(ticket: string, expect: { resourceId: string; contentId: string; nodeId: string }): Promise<unknown>;
}

export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * A manifest is a file anyone can edit or serve: before the agent dials a peer or writes a
 * byte, the manifest must prove it was issued by the server this node is enrolled with for
 * exactly the files it lists. The ticket is the proof — signed by the server's key, it names
 * the resource and the content id, and parseManifest has already recomputed the content id
 * from the files and piece hashes, so an edited file list cannot keep a genuine ticket. URLs
 * must point at the enrolled server, so no manifest can steer a request (and the credentials
 * it carries) to another host.
 */
export async function checkManifestTrust(manifest: Manifest, anchor: ManifestTrustAnchor): Promise<void> {
  const trusted = new Set(anchor.trustedOrigins.map((o) => originOf(o)).filter((o): o is string => o !== null));
  for (const field of ['serverUrl', 'trackerUrl'] as const) {
    const origin = originOf(manifest[field]);
    if (!origin || !trusted.has(origin)) {
      throw new ManifestRefusedError(
        `its ${field} ${JSON.stringify(manifest[field])} is not the server this node is enrolled with (${[...trusted].join(', ')})`,
      );
    }
  }
  // Recomputed here rather than trusting the contentId field, so this check holds whoever parsed the manifest.
  const contentId = computeContentId(manifest);
  if (contentId !== manifest.contentId) {
    throw new ManifestRefusedError(
      'its contentId does not match the files and piece hashes it lists (edited manifest?)',
    );
  }
  try {
    await anchor.verifyTicket(manifest.ticket, {
      resourceId: manifest.resourceId,
      contentId,
      nodeId: anchor.nodeId,
    });
  } catch (err) {
    if (!(err instanceof PeerRefusedError)) throw err;
    const why = err.message.includes('other content')
      ? 'its ticket was issued for other content than the files it lists (edited manifest?)'
      : `its ${err.message}`;
    throw new ManifestRefusedError(why);
  }
}
