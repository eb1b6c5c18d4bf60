import fc from 'fast-check';
import { encodeMessage, FrameDecoder, retainMessage } from './frame-codec.js';
import { RejectReason, type WireMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { MAX_FRAME_BODY, WIRE } from './wire-limits.js';

/** Cases per property in CI; SHOAL_FUZZ_RUNS=100000 for a long run on demand. */
const numRuns = Number(process.env.SHOAL_FUZZ_RUNS ?? 300);

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const blockLength = fc.integer({ min: 1, max: WIRE.maxBlockSize });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));

const message: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.constant<WireMessage>({ type: 'keepAlive' }),
  fc.record({
    type: fc.constant('hello' as const),
    version: fc.integer({ min: 0, max: 255 }),
    nonce: bytes(32),
    contentId: bytes(32),
    resourceId: fc.string({ maxLength: 20 }),
    credential: fc.string({ maxLength: 300 }),
    ticket: fc.string({ maxLength: 300 }),
  }),
  fc.record({ type: fc.constant('auth' as const), signature: bytes(64) }),
  fc.integer({ min: 0, max: 2000 }).chain((count) =>
    fc.record({
      type: fc.constant('haveMap' as const),
      pieceCount: fc.constant(count),
      bitfield: fc.constant(Buffer.alloc(Math.ceil(count / 8))),
    }),
  ),
  fc.record({ type: fc.constant('have' as const), piece: u32 }),
  fc.record({ type: fc.constant('request' as const), piece: u32, offset: u32, length: blockLength }),
  fc.record({ type: fc.constant('cancel' as const), piece: u32, offset: u32, length: blockLength }),
  fc.record({
    type: fc.constant('reject' as const),
    piece: u32,
    offset: u32,
    length: u32,
    reason: fc.constantFrom(...Object.values(RejectReason)),
  }),
  fc.record({
    type: fc.constant('data' as const),
    piece: u32,
    offset: u32,
    block: fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((a) => Buffer.from(a)),
  }),
  fc.record({ type: fc.constant('refuse' as const), reason: fc.string({ maxLength: 100 }) }),
);

/** Feeds bytes in random-sized chunks; returns the messages, or the ProtocolError it ended with. */
function decodeInChunks(stream: Buffer, cuts: number[]): { messages: WireMessage[]; error: unknown } {
  const decoder = new FrameDecoder();
  const messages: WireMessage[] = [];
  let pos = 0;
  try {
    for (const cut of [...cuts, stream.length]) {
      const end = Math.min(stream.length, Math.max(pos, cut));
      messages.push(...decoder.push(stream.subarray(pos, end)).map(retainMessage));
      pos = end;
      // The decoder never holds more than one frame.
      expect(decoder.pending()).toBeLessThanOrEqual(MAX_FRAME_BODY + 4);
    }
    return { messages, error: null };
  } catch (error) {
    return { messages, error };
  }
}

describe('frame codec properties', () => {
  it('decodes any sequence of messages, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), fc.array(fc.nat(40_000)), (msgs, cuts) => {
        const stream = Buffer.concat(msgs.map(encodeMessage));
        const { messages, error } = decodeInChunks(
          stream,
          [...cuts].sort((a, b) => a - b),
        );
        expect(error).toBeNull();
        // Strings may not survive a round trip byte for byte (lone surrogates), so compare re-encodings.
        expect(Buffer.concat(messages.map(encodeMessage)).equals(stream)).toBe(true);
      }),
      { numRuns },
    );
  });

  it('answers random, truncated and mutated input with a ProtocolError or a clean wait, never anything else', () => {
    const mutated = fc
      .tuple(
        fc.array(message, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }),
        fc.nat(),
      )
      .map(([msgs, flips, cut]) => {
        const stream = Buffer.concat(msgs.map(encodeMessage));
        for (const [at, value] of flips) stream[at % stream.length] = value;
        return stream.subarray(0, (cut % stream.length) + 1);
      });
    fc.assert(
      fc.property(
        fc.oneof(
          mutated,
          fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
        ),
        fc.array(fc.nat(700)),
        (stream, cuts) => {
          const { error } = decodeInChunks(
            stream,
            [...cuts].sort((a, b) => a - b),
          );
          if (error !== null) expect(error).toBeInstanceOf(ProtocolError);
        },
      ),
      { numRuns },
    );
  });

  it('refuses any length prefix above the cap before buffering the body', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_FRAME_BODY + 1, max: 0xffffffff }), (length) => {
        const head = Buffer.alloc(4);
        head.writeUInt32BE(length);
        const { error } = decodeInChunks(head, []);
        expect(error).toBeInstanceOf(ProtocolError);
        expect((error as ProtocolError).code).toBe('oversized');
      }),
      { numRuns },
    );
  });
});
