/**
 * Messages of the agent-to-agent wire. Byte layouts are in docs/protocol.md and next to
 * each encoder in frame-codec.ts.
 */
export const MessageType = {
  keepAlive: 0,
  hello: 1,
  auth: 2,
  haveMap: 3,
  have: 4,
  request: 5,
  data: 6,
  reject: 7,
  cancel: 8,
  refuse: 9,
} as const;

/** Why a request was rejected. */
export const RejectReason = { notHeld: 1, overloaded: 2, notAllowed: 3, invalid: 4 } as const;
export type RejectReasonCode = (typeof RejectReason)[keyof typeof RejectReason];

export interface KeepAliveMessage {
  type: 'keepAlive';
}

/** First message each way: who I am, what I want, and a fresh nonce for the other side to sign. */
export interface HelloMessage {
  type: 'hello';
  version: number;
  nonce: Buffer;
  /** Node credential (EdDSA JWT). */
  credential: string;
  resourceId: string;
  /** Content id as 32 raw bytes. */
  contentId: Buffer;
  /** Download ticket; empty when the sender only provides. */
  ticket: string;
}

/** Proof of possession: Ed25519 signature over the other side's nonce and the TLS exporter. */
export interface AuthMessage {
  type: 'auth';
  signature: Buffer;
}

export interface HaveMapMessage {
  type: 'haveMap';
  pieceCount: number;
  bitfield: Buffer;
}

export interface HaveMessage {
  type: 'have';
  piece: number;
}

export interface BlockRef {
  piece: number;
  offset: number;
  length: number;
}

export interface RequestMessage extends BlockRef {
  type: 'request';
}

export interface CancelMessage extends BlockRef {
  type: 'cancel';
}

export interface RejectMessage extends BlockRef {
  type: 'reject';
  reason: RejectReasonCode;
}

export interface DataMessage {
  type: 'data';
  piece: number;
  offset: number;
  block: Buffer;
}

/** Sent before closing when a handshake is refused, so the other side can log why. */
export interface RefuseMessage {
  type: 'refuse';
  reason: string;
}

export type WireMessage =
  | KeepAliveMessage
  | HelloMessage
  | AuthMessage
  | HaveMapMessage
  | HaveMessage
  | RequestMessage
  | CancelMessage
  | RejectMessage
  | DataMessage
  | RefuseMessage;
