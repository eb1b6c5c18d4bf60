import { z } from 'zod';
import { LIMITS } from './limits.js';
import { computeContentId, metadataInconsistency, Sha256Hex, SplittingMetadataSchema } from './metadata.js';
import { ListenAddressSchema, NODE_ROLES } from './nodes.js';

export const MANIFEST_FORMAT = 'shoal-manifest';
export const MANIFEST_VERSION = 1;

const ManifestPeerSchema = z.object({
  nodeId: z.string().min(1).max(64),
  name: z.string().max(LIMITS.maxNodeNameLength),
  role: z.enum(NODE_ROLES),
  site: z.string().max(LIMITS.maxSiteLength).nullable(),
  addresses: z.array(ListenAddressSchema).max(LIMITS.maxListenAddresses),
  complete: z.boolean(),
});

/** The `.shoal.json` file: everything an agent needs to fetch and verify a resource. */
export const ManifestSchema = SplittingMetadataSchema.extend({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  resourceId: z.string().min(1).max(64),
  contentId: Sha256Hex,
  name: z.string().min(1).max(LIMITS.maxNameLength),
  description: z.string().max(LIMITS.maxDescriptionLength),
  serverUrl: z.string().url().max(2048),
  trackerUrl: z.string().url().max(2048),
  seeds: z.array(ManifestPeerSchema).max(LIMITS.maxPeersPerAnnounce),
  peers: z.array(ManifestPeerSchema).max(LIMITS.maxPeersPerAnnounce),
  /** Download ticket (EdDSA JWT, see DownloadTicketClaims). */
  ticket: z.string().min(1).max(8192),
  issuedAt: z.string(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestPeer = z.infer<typeof ManifestPeerSchema>;

export class ManifestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`invalid manifest: ${field}: ${message}`);
    this.name = 'ManifestError';
  }
}

/**
 * Parses and checks a manifest: shape, limits, safe paths, consistent sizes and a content
 * id that matches the metadata. Throws ManifestError naming the first bad field.
 */
export function parseManifest(input: string | Buffer | unknown): Manifest {
  let value = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    if (input.length > LIMITS.maxManifestBytes) {
      throw new ManifestError('(file)', `larger than ${LIMITS.maxManifestBytes} bytes`);
    }
    try {
      value = JSON.parse(input.toString());
    } catch (err) {
      throw new ManifestError('(file)', `not JSON: ${(err as Error).message}`);
    }
  }
  const parsed = ManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(issue.path.join('.') || '(root)', issue.message);
  }
  const problem = metadataInconsistency(parsed.data);
  if (problem) throw new ManifestError(problem.field, problem.message);
  if (computeContentId(parsed.data) !== parsed.data.contentId) {
    throw new ManifestError('contentId', 'does not match the files and piece hashes');
  }
  return parsed.data;
}
