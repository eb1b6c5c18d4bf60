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
export function decodeBody(body: Buffer): WireMessage {
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
 * Incremental decoder: feed it bytes as they arrive, get whole messages back. It holds at
 * most one frame's bytes (MAX_FRAME_BODY) and rejects a larger length prefix at once,
 * before buffering anything for it.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxBody = MAX_FRAME_BODY) {}

  push(chunk: Buffer): WireMessage[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: WireMessage[] = [];
    for (;;) {
      if (this.buffered < WIRE.lengthPrefixBytes) break;
      const head = this.peek(WIRE.lengthPrefixBytes);
      const bodyLength = head.readUInt32BE(0);
      if (bodyLength === 0) throw new ProtocolError('malformed', 'empty frame');
      if (bodyLength > this.maxBody) {
        throw new ProtocolError('oversized', `frame of ${bodyLength} bytes (max ${this.maxBody})`);
      }
      if (this.buffered < WIRE.lengthPrefixBytes + bodyLength) break;
      const whole = this.take(WIRE.lengthPrefixBytes + bodyLength);
      out.push(decodeBody(whole.subarray(WIRE.lengthPrefixBytes)));
    }
    return out;
  }

  /** Bytes received but not yet part of a whole frame (a truncated tail at close). */
  pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return taken;
  }
}
