/**
 * Hard limits shared by server and agent. Every length and count that crosses a
 * boundary (HTTP body, manifest file, wire frame) is checked against one of these,
 * so a hostile peer or a corrupt file can never make either side allocate without bound.
 */
export const LIMITS = {
  /** Smallest and largest piece size; both powers of two. */
  minPieceSize: 16 * 1024,
  maxPieceSize: 64 * 1024 * 1024,
  /** Pieces per resource: 1 Mi pieces of 64 MiB is 64 TiB, far above any real resource. */
  maxPieces: 1 << 20,
  maxFiles: 100_000,
  maxPathLength: 1024,
  maxPathSegmentLength: 255,
  maxNameLength: 200,
  maxDescriptionLength: 4000,
  maxTags: 32,
  maxTagLength: 64,
  /** 2^53 - 1: the largest size a JSON number carries exactly. */
  maxTotalSize: Number.MAX_SAFE_INTEGER,
  maxListenAddresses: 8,
  maxNodeNameLength: 100,
  maxSiteLength: 64,
  /** Peers returned by one announce. */
  maxPeersPerAnnounce: 50,
  /** Size of the largest manifest file accepted (a million piece hashes is ~70 MB of JSON). */
  maxManifestBytes: 96 * 1024 * 1024,
  /** Page size cap of every list endpoint. */
  maxPageSize: 200,
  /** Machines one reusable enrollment token may enroll (a fleet of seed servers, not the world). */
  enrollmentTokenMaxUses: 10_000,
} as const;

/** Seconds between an agent's announces to the tracker, and between heartbeats. */
export const ANNOUNCE_INTERVAL_SECONDS = 30;
export const HEARTBEAT_INTERVAL_SECONDS = 30;
/** A node is offline once this many seconds pass without a heartbeat (three missed beats). */
export const NODE_OFFLINE_AFTER_SECONDS = 3 * HEARTBEAT_INTERVAL_SECONDS;
/** A swarm entry expires when its announce is this old (two missed announces and some slack). */
export const SWARM_ENTRY_TTL_SECONDS = 2 * ANNOUNCE_INTERVAL_SECONDS + 15;

/** Lifetimes of the credentials the server issues. */
export const TOKEN_LIFETIMES = {
  userAccessSeconds: 15 * 60,
  /** How long a session may be kept alive by refreshing its access token. */
  userSessionMaxSeconds: 12 * 3600,
  nodeCredentialSeconds: 24 * 3600,
  downloadTicketSeconds: 24 * 3600,
  enrollmentTokenDefaultSeconds: 24 * 3600,
  enrollmentTokenMinSeconds: 60,
  enrollmentTokenMaxSeconds: 30 * 24 * 3600,
} as const;

/** A name (resource, user, node) must hold something other than whitespace. */
export const NOT_BLANK = /\S/;

/** A tag: letters, digits, ".", "_", ":" or "-", up to `LIMITS.maxTagLength`. */
export const TAG_PATTERN = new RegExp(`^[\\p{L}\\p{N}._:-]{1,${LIMITS.maxTagLength}}$`, 'u');
/** What a tag must be, to follow "must" in a sentence. */
export const TAG_RULE = `be 1-${LIMITS.maxTagLength} letters, digits, ".", "_", ":" or "-"`;
