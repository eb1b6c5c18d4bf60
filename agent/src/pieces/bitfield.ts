/** One bit per piece, most significant bit first (the have-map wire layout). */
export class Bitfield {
  readonly bytes: Buffer;
  private setCount = 0;

  constructor(
    readonly size: number,
    bytes?: Buffer,
  ) {
    this.bytes = Buffer.alloc(Math.ceil(size / 8));
    if (bytes) {
      bytes.copy(this.bytes, 0, 0, this.bytes.length);
      for (let i = 0; i < size; i++) if (this.has(i)) this.setCount++;
    }
  }

  has(index: number): boolean {
    if (index < 0 || index >= this.size) return false;
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number): boolean {
    if (index < 0 || index >= this.size || this.has(index)) return false;
    this.bytes[index >> 3] |= 0x80 >> (index & 7);
    this.setCount++;
    return true;
  }

  unset(index: number): boolean {
    if (!this.has(index)) return false;
    this.bytes[index >> 3] &= ~(0x80 >> (index & 7));
    this.setCount--;
    return true;
  }

  count(): number {
    return this.setCount;
  }

  isFull(): boolean {
    return this.setCount === this.size;
  }

  *indexes(): Generator<number> {
    for (let i = 0; i < this.size; i++) if (this.has(i)) yield i;
  }
}
