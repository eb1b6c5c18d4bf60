import { ProtocolError } from './protocol-error.js';

/** Bounds-checked reads over one frame body; any overrun is a malformed frame, never a RangeError. */
export class ByteReader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ProtocolError('malformed', `${this.what}: truncated (needs ${n} more bytes at ${this.pos})`);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A copy, so a retained field never pins the whole receive buffer. */
  bytes(n: number): Buffer {
    this.need(n);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** A string prefixed by its byte length (u8 or u16), capped at `max` bytes. */
  string(prefix: 'u8' | 'u16', max: number, field: string): string {
    const len = prefix === 'u8' ? this.u8() : this.u16();
    if (len > max) throw new ProtocolError('oversized', `${this.what}: ${field} is ${len} bytes (max ${max})`);
    return this.bytes(len).toString('utf8');
  }

  remaining(): number {
    return this.buf.length - this.pos;
  }

  /** The remaining bytes without copying; valid only until the receive buffer is reused. */
  restView(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  end(): void {
    if (this.pos !== this.buf.length) {
      throw new ProtocolError('malformed', `${this.what}: ${this.buf.length - this.pos} trailing bytes`);
    }
  }
}
