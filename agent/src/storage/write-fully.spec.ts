import type { FileHandle } from 'node:fs/promises';
import { writeFully } from './file-storage.js';

/** A file handle whose disk takes at most `room` more bytes, and says so by short writes. */
function fillingDisk(room: number) {
  const written: number[] = [];
  const fh = {
    async write(_data: Buffer, _offset: number, length: number) {
      const n = Math.min(length, room, 3);
      room -= n;
      written.push(n);
      return { bytesWritten: n };
    },
  } as unknown as FileHandle;
  return { fh, written };
}

describe('writeFully', () => {
  it('keeps writing after short writes until everything is stored', async () => {
    const { fh, written } = fillingDisk(100);
    await writeFully(fh, Buffer.alloc(10), 0, 10, 0);
    expect(written).toEqual([3, 3, 3, 1]);
  });

  it('turns a write that stores nothing into ENOSPC instead of a silently short piece', async () => {
    const { fh } = fillingDisk(5);
    await expect(writeFully(fh, Buffer.alloc(10), 0, 10, 0)).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});
