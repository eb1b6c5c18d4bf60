import { ByteReader } from './byte-reader.js';
import { MessageType, type BlockRef, type RejectReasonCode, type WireMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { MAX_FRAME_BODY, WIRE } from './wire-limits.js';

/*
 * Frame: u32 big-endian body length (1..MAX_FRAME_BODY), then the body:
 * u8 message type, then the payload laid out as commented on each case below.
 * The codec does no I/O: encodeMessage returns bytes, FrameDecoder takes bytes.
 */

function frame(type: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(WIRE.lengthPrefixBytes + 1 + payload.length);
  out.writeUInt32BE(1 + payload.length, 0);
  out.writeUInt8(type, 4);
  payload.copy(out, 5);
  return out;
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
}

function lengthPrefixed(prefix: 'u8' | 'u16', value: string, max: number, field: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > max) throw new ProtocolError('oversized', `${field} is ${bytes.length} bytes (max ${max})`);
  const len = Buffer.allocUnsafe(prefix === 'u8' ? 1 : 2);
  if (prefix === 'u8') len.writeUInt8(bytes.length);
  else len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function checkBlockLength(length: number, what: string): void {
  if (length < 1 || length > WIRE.maxBlockSize) {
    throw new ProtocolError('oversized', `${what}: block length ${length} outside 1..${WIRE.maxBlockSize}`);
  }
}

function checkFixed(buf: Buffer, length: number, field: string): void {
  if (buf.length !== length)
    throw new ProtocolError('malformed', `${field} must be ${length} bytes, got ${buf.length}`);
}

export function encodeMessage(msg: WireMessage): Buffer {
  switch (msg.type) {
    case 'keepAlive': // (empty)
      return frame(MessageType.keepAlive, Buffer.alloc(0));
    case 'hello': // u8 version | 32 nonce | 32 contentId | u8 len + resourceId | u16 len + credential | u16 len + ticket
      checkFixed(msg.nonce, WIRE.nonceBytes, 'nonce');
      checkFixed(msg.contentId, WIRE.contentIdBytes, 'contentId');
      return frame(
        MessageType.hello,
        Buffer.concat([
          Buffer.from([msg.version]),
          msg.nonce,
          msg.contentId,
          lengthPrefixed('u8', msg.resourceId, WIRE.maxResourceIdLength, 'resourceId'),
          lengthPrefixed('u16', msg.credential, WIRE.maxCredentialLength, 'credential'),
          lengthPrefixed('u16', msg.ticket, WIRE.maxTicketLength, 'ticket'),
        ]),
      );
    case 'auth': // 64 Ed25519 signature
      checkFixed(msg.signature, WIRE.signatureBytes, 'signature');
      return frame(MessageType.auth, msg.signature);
    case 'haveMap': // u32 pieceCount | ceil(pieceCount/8) bitfield bytes, MSB first, spare bits zero
      if (msg.bitfield.length !== Math.ceil(msg.pieceCount / 8) || msg.bitfield.length > WIRE.maxHaveMapBytes) {
        throw new ProtocolError('malformed', `have-map of ${msg.bitfield.length} bytes for ${msg.pieceCount} pieces`);
      }
      return frame(MessageType.haveMap, Buffer.concat([u32s(msg.pieceCount), msg.bitfield]));
    case 'have': // u32 piece
      return frame(MessageType.have, u32s(msg.piece));
    case 'request': // u32 piece | u32 offset | u32 length
      checkBlockLength(msg.length, 'request');
      return frame(MessageType.request, u32s(msg.piece, msg.offset, msg.length));
    case 'cancel': // u32 piece | u32 offset | u32 length
      checkBlockLength(msg.length, 'cancel');
      return frame(MessageType.cancel, u32s(msg.piece, msg.offset, msg.length));
    case 'reject': // u32 piece | u32 offset | u32 length | u8 reason
      return frame(
        MessageType.reject,
        Buffer.concat([u32s(msg.piece, msg.offset, msg.length), Buffer.from([msg.reason])]),
      );
    case 'data': // u32 piece | u32 offset | block bytes (1..maxBlockSize)
      checkBlockLength(msg.block.length, 'data');
      return frame(MessageType.data, Buffer.concat([u32s(msg.piece, msg.offset), msg.block]));
    case 'refuse': // u16 len + UTF-8 reason
      return frame(
        MessageType.refuse,
        lengthPrefixed('u16', msg.reason.slice(0, WIRE.maxReasonLength), WIRE.maxReasonLength * 4, 'reason'),
      );
  }
}

function readBlockRef(r: ByteReader, what: string): BlockRef {
  const ref = { piece: r.u32(), offset: r.u32(), length: r.u32() };
  checkBlockLength(ref.length, what);
  return ref;
}

/**
 * A data message as two buffers, header then the block itself, so the block is never
 * copied into a frame: the caller writes both (the TLS layer copies once, into records).
 */
export function encodeDataFrame(piece: number, offset: number, block: Buffer): [Buffer, Buffer] {
  checkBlockLength(block.length, 'data');
  const head = Buffer.allocUnsafe(WIRE.lengthPrefixBytes + 1 + 8);
  head.writeUInt32BE(1 + 8 + block.length, 0);
  head.writeUInt8(MessageType.data, 4);
  head.writeUInt32BE(piece, 5);
  head.writeUInt32BE(offset, 9);
  return [head, block];
}

/** Decodes one frame body (type byte + payload). */
function decodeBody(body: Buffer): WireMessage {
  const type = body.readUInt8(0);
  const r = new ByteReader(body.subarray(1), `message type ${type}`);
  let msg: WireMessage;
  switch (type) {
    case MessageType.keepAlive:
      msg = { type: 'keepAlive' };
      break;
    case MessageType.hello: {
      const version = r.u8();
      const nonce = r.bytes(WIRE.nonceBytes);
      const contentId = r.bytes(WIRE.contentIdBytes);
      const resourceId = r.string('u8', WIRE.maxResourceIdLength, 'resourceId');
      const credential = r.string('u16', WIRE.maxCredentialLength, 'credential');
      const ticket = r.string('u16', WIRE.maxTicketLength, 'ticket');
      msg = { type: 'hello', version, nonce, contentId, resourceId, credential, ticket };
      break;
    }
    case MessageType.auth:
      msg = { type: 'auth', signature: r.bytes(WIRE.signatureBytes) };
      break;
    case MessageType.haveMap: {
      const pieceCount = r.u32();
      const bytes = Math.ceil(pieceCount / 8);
      if (bytes > WIRE.maxHaveMapBytes) throw new ProtocolError('oversized', `have-map for ${pieceCount} pieces`);
      const bitfield = r.bytes(bytes);
      const spareBits = bytes * 8 - pieceCount;
      if (spareBits > 0 && (bitfield[bytes - 1] & ((1 << spareBits) - 1)) !== 0) {
        throw new ProtocolError('malformed', 'have-map has spare bits set');
      }
      msg = { type: 'haveMap', pieceCount, bitfield };
      break;
    }
    case MessageType.have:
      msg = { type: 'have', piece: r.u32() };
      break;
    case MessageType.request:
      msg = { type: 'request', ...readBlockRef(r, 'request') };
      break;
    case MessageType.cancel:
      msg = { type: 'cancel', ...readBlockRef(r, 'cancel') };
      break;
    case MessageType.reject: {
      const ref = { piece: r.u32(), offset: r.u32(), length: r.u32() };
      msg = { type: 'reject', ...ref, reason: r.u8() as RejectReasonCode };
      break;
    }
    case MessageType.data: {
      const piece = r.u32();
      const offset = r.u32();
      // A view, not a copy: the receiver copies it into its piece buffer at once.
      const block = r.restView();
      checkBlockLength(block.length, 'data');
      msg = { type: 'data', piece, offset, block };
      break;
    }
    case MessageType.refuse:
      msg = { type: 'refuse', reason: r.string('u16', WIRE.maxReasonLength * 4, 'reason') };
      break;
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${type}`);
  }
  r.end();
  return msg;
}

/**
 * Incremental decoder: feed it bytes as they arrive, get whole messages back. A frame that
 * lies inside one chunk is decoded in place; one split over chunks is gathered in a single
 * buffer reused for every frame, so receiving allocates nothing per frame. It holds at most
 * one frame's bytes (MAX_FRAME_BODY) and rejects a larger length prefix at once, before
 * buffering anything for it.
 *
 * A data message's block is a view, valid only until the next push(): copy it before then.
 * (Every other field is decoded into its own memory.)
 */
export class FrameDecoder {
  /** The frame being gathered (length prefix included), allocated on first use. */
  private partial: Buffer | null = null;
  private partialLength = 0;
  /**
   * The other gathering buffer: a push that completes a gathered frame and then starts
   * gathering the next one switches buffers, so the block it returns is not overwritten
   * before the caller has read it.
   */
  private spare: Buffer | null = null;

  constructor(private readonly maxBody = MAX_FRAME_BODY) {}

  push(chunk: Buffer): WireMessage[] {
    const out: WireMessage[] = [];
    let pos = 0;
    if (this.partialLength > 0) {
      pos = this.gather(chunk, 0);
      const body = this.partialBody();
      if (!body) return out;
      this.partialLength = 0;
      out.push(decodeBody(body));
    }
    const P = WIRE.lengthPrefixBytes;
    while (chunk.length - pos >= P) {
      const bodyLength = this.checkedLength(chunk, pos);
      if (chunk.length - pos - P < bodyLength) break;
      out.push(decodeBody(chunk.subarray(pos + P, pos + P + bodyLength)));
      pos += P + bodyLength;
    }
    if (pos < chunk.length) {
      if (out.length > 0 && this.partial) [this.partial, this.spare] = [this.spare, this.partial];
      this.gather(chunk, pos);
      // Check a complete length prefix now: an oversized frame is refused before its bytes arrive.
      if (this.partialLength >= P) this.checkedLength(this.partial!, 0);
    }
    return out;
  }

  /** Bytes received but not yet part of a whole frame (a truncated tail at close). */
  pending(): number {
    return this.partialLength;
  }

  /** Copies bytes from `chunk` (from `from`) into the partial frame, up to its end; returns where it stopped. */
  private gather(chunk: Buffer, from: number): number {
    const P = WIRE.lengthPrefixBytes;
    this.partial ??= Buffer.allocUnsafe(P + this.maxBody);
    let pos = from;
    if (this.partialLength < P) {
      const n = Math.min(P - this.partialLength, chunk.length - pos);
      chunk.copy(this.partial, this.partialLength, pos, pos + n);
      this.partialLength += n;
      pos += n;
      if (this.partialLength < P) return pos;
    }
    const frameLength = P + this.checkedLength(this.partial, 0);
    const n = Math.min(frameLength - this.partialLength, chunk.length - pos);
    chunk.copy(this.partial, this.partialLength, pos, pos + n);
    this.partialLength += n;
    return pos + n;
  }

  /** The gathered frame's body once it is whole, else null. */
  private partialBody(): Buffer | null {
    const P = WIRE.lengthPrefixBytes;
    if (this.partialLength < P) return null;
    const frameLength = P + this.partial!.readUInt32BE(0);
    return this.partialLength === frameLength ? this.partial!.subarray(P, frameLength) : null;
  }

  private checkedLength(buf: Buffer, at: number): number {
    const bodyLength = buf.readUInt32BE(at);
    if (bodyLength === 0) throw new ProtocolError('malformed', 'empty frame');
    if (bodyLength > this.maxBody) {
      throw new ProtocolError('oversized', `frame of ${bodyLength} bytes (max ${this.maxBody})`);
    }
    return bodyLength;
  }
}

/** A message that stays valid after the decoder's next push (a data block is copied out of its buffer). */
export function retainMessage(m: WireMessage): WireMessage {
  return m.type === 'data' ? { ...m, block: Buffer.from(m.block) } : m;
}
