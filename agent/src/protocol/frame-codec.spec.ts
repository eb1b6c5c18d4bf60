import { randomBytes } from 'node:crypto';
import { encodeDataFrame, encodeMessage, FrameDecoder, retainMessage } from './frame-codec.js';
import { MessageType, RejectReason, type WireMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { MAX_FRAME_BODY, WIRE } from './wire-limits.js';

const samples: WireMessage[] = [
  { type: 'keepAlive' },
  {
    type: 'hello',
    version: 1,
    nonce: randomBytes(32),
    contentId: randomBytes(32),
    resourceId: 'res-1',
    credential: 'a.b.c',
    ticket: 'd.e.f',
  },
  { type: 'auth', signature: randomBytes(64) },
  { type: 'haveMap', pieceCount: 11, bitfield: Buffer.from([0xff, 0b11100000]) },
  { type: 'have', piece: 7 },
  { type: 'request', piece: 3, offset: 65536, length: 16384 },
  { type: 'cancel', piece: 3, offset: 0, length: 1 },
  { type: 'reject', piece: 2, offset: 0, length: 100, reason: RejectReason.notHeld },
  { type: 'data', piece: 9, offset: 16, block: randomBytes(WIRE.maxBlockSize) },
  { type: 'refuse', reason: 'node revoked' },
];

function rawFrame(type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + 1);
  head.writeUInt8(type, 4);
  return Buffer.concat([head, payload]);
}

function decodeAll(bytes: Buffer): WireMessage[] {
  return new FrameDecoder().push(bytes);
}

function expectProtocolError(fn: () => unknown, code: ProtocolError['code']): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(code);
    return;
  }
  throw new Error('expected a ProtocolError');
}

describe('frame codec', () => {
  it.each(samples.map((m) => [m.type, m] as const))('round-trips %s', (_, msg) => {
    expect(decodeAll(encodeMessage(msg))).toEqual([msg]);
  });

  it('writes a data frame as header + block that decodes like the copied form', () => {
    const block = randomBytes(1000);
    const [head, body] = encodeDataFrame(4, 2048, block);
    expect(body).toBe(block);
    expect(Buffer.concat([head, body])).toEqual(encodeMessage({ type: 'data', piece: 4, offset: 2048, block }));
  });

  it('keeps every data block of one push intact until the next push, however frames straddle chunks', () => {
    const blocks = [0, 1, 2, 3].map((i) => randomBytes(5000 + i));
    const stream = Buffer.concat(blocks.map((block, i) => encodeMessage({ type: 'data', piece: i, offset: 0, block })));
    // Chunks that each finish one gathered frame and start gathering the next.
    for (const size of [3000, 7000, 9999]) {
      const decoder = new FrameDecoder();
      const seen: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) {
        const out = decoder.push(stream.subarray(i, i + size));
        for (const m of out) if (m.type === 'data') seen.push(Buffer.from(m.block));
      }
      expect(seen).toEqual(blocks);
    }
  });

  it('decodes a stream split at every byte boundary', () => {
    const stream = Buffer.concat(samples.map(encodeMessage));
    const decoder = new FrameDecoder();
    const out: WireMessage[] = [];
    for (let i = 0; i < stream.length; i += 997)
      out.push(...decoder.push(stream.subarray(i, i + 997)).map(retainMessage));
    expect(out).toEqual(samples);
    const byteWise = new FrameDecoder();
    const small = Buffer.concat(samples.filter((m) => m.type !== 'data').map(encodeMessage));
    const out2: WireMessage[] = [];
    for (const b of small) out2.push(...byteWise.push(Buffer.from([b])));
    expect(out2).toEqual(samples.filter((m) => m.type !== 'data'));
    expect(byteWise.pending()).toBe(0);
  });

  it('waits on a truncated frame and reports the pending bytes', () => {
    const bytes = encodeMessage({ type: 'have', piece: 1 });
    const decoder = new FrameDecoder();
    expect(decoder.push(bytes.subarray(0, bytes.length - 1))).toEqual([]);
    expect(decoder.pending()).toBe(bytes.length - 1);
  });

  it('refuses an oversized length prefix before buffering its body', () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MAX_FRAME_BODY + 1);
    expectProtocolError(() => decodeAll(head), 'oversized');
    head.writeUInt32BE(0xffffffff);
    expectProtocolError(() => decodeAll(head), 'oversized');
  });

  it('refuses an empty frame and an unknown type', () => {
    expectProtocolError(() => decodeAll(Buffer.alloc(4)), 'malformed');
    expectProtocolError(() => decodeAll(rawFrame(200, Buffer.alloc(0))), 'unknown-type');
  });

  it('refuses truncated payloads and trailing bytes', () => {
    expectProtocolError(() => decodeAll(rawFrame(MessageType.have, Buffer.alloc(3))), 'malformed');
    expectProtocolError(() => decodeAll(rawFrame(MessageType.have, Buffer.alloc(5))), 'malformed');
    expectProtocolError(() => decodeAll(rawFrame(MessageType.request, Buffer.alloc(8))), 'malformed');
    expectProtocolError(() => decodeAll(rawFrame(MessageType.auth, Buffer.alloc(63))), 'malformed');
    expectProtocolError(() => decodeAll(rawFrame(MessageType.keepAlive, Buffer.alloc(1))), 'malformed');
    const hello = encodeMessage(samples[1]);
    expectProtocolError(() => decodeAll(rawFrame(MessageType.hello, hello.subarray(5, hello.length - 2))), 'malformed');
  });

  it('refuses block lengths of zero or above the cap', () => {
    const ref = Buffer.alloc(12);
    ref.writeUInt32BE(WIRE.maxBlockSize + 1, 8);
    expectProtocolError(() => decodeAll(rawFrame(MessageType.request, ref)), 'oversized');
    ref.writeUInt32BE(0, 8);
    expectProtocolError(() => decodeAll(rawFrame(MessageType.cancel, ref)), 'oversized');
    expectProtocolError(() => decodeAll(rawFrame(MessageType.data, Buffer.alloc(8))), 'oversized');
    expectProtocolError(
      () => encodeMessage({ type: 'request', piece: 0, offset: 0, length: WIRE.maxBlockSize + 1 }),
      'oversized',
    );
  });

  it('refuses a have-map whose size disagrees with its count or has spare bits set', () => {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(9);
    expectProtocolError(
      () => decodeAll(rawFrame(MessageType.haveMap, Buffer.concat([count, Buffer.alloc(1)]))),
      'malformed',
    );
    expectProtocolError(
      () => decodeAll(rawFrame(MessageType.haveMap, Buffer.concat([count, Buffer.from([0, 1])]))),
      'malformed',
    );
    count.writeUInt32BE(0xffffffff);
    expectProtocolError(() => decodeAll(rawFrame(MessageType.haveMap, count)), 'oversized');
  });

  it('refuses over-long strings in a hello', () => {
    const payload = Buffer.alloc(1 + 64 + 1);
    payload.writeUInt8(65, 65); // resourceId length above its cap of 64
    expectProtocolError(
      () => decodeAll(rawFrame(MessageType.hello, Buffer.concat([payload, Buffer.alloc(65)]))),
      'oversized',
    );
    expectProtocolError(
      () => encodeMessage({ ...(samples[1] as Extract<WireMessage, { type: 'hello' }>), credential: 'x'.repeat(9000) }),
      'oversized',
    );
  });

  it('never throws anything but a ProtocolError on random input', () => {
    for (let i = 0; i < 2000; i++) {
      const type = i % 12;
      const body = randomBytes(i % 80);
      try {
        decodeAll(rawFrame(type, body));
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
      }
    }
  });
});
