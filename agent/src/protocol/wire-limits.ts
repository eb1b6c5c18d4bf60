import { LIMITS } from '@shoal/contract';

/**
 * Hard caps of the agent-to-agent wire. Every length and count read from a peer is
 * checked against one of these before anything is allocated, so a hostile or broken
 * peer costs at most one frame of memory.
 */
export const WIRE = {
  protocolVersion: 2,
  /** Bytes of the frame length prefix. */
  lengthPrefixBytes: 4,
  /** Largest data block a peer may request or send. */
  maxBlockSize: 128 * 1024,
  /** Block size this agent requests (a piece shorter than this is requested whole). */
  blockSize: 128 * 1024,
  /** A have-map for the largest allowed resource: one bit per piece. */
  maxHaveMapBytes: Math.ceil(LIMITS.maxPieces / 8),
  /** Requests a peer may have outstanding with us; more closes the connection. */
  maxQueuedRequests: 256,
  maxCredentialLength: 8192,
  maxTicketLength: 8192,
  maxResourceIdLength: 64,
  maxReasonLength: 512,
  nonceBytes: 32,
  signatureBytes: 64,
  contentIdBytes: 32,
} as const;

/** Largest frame body (type byte + payload): a full have-map or a full data block, plus headers. */
export const MAX_FRAME_BODY = Math.max(WIRE.maxBlockSize, WIRE.maxHaveMapBytes) + 64;
