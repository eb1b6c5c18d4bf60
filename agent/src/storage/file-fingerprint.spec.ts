import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashWithFingerprints } from './file-fingerprint.js';

describe('fingerprints of the files publish hashed', () => {
  it('trusts no file changed during the hash, or so recently that a change in the same tick could hide', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-fp-'));
    const files = [{ path: 'steady.bin' }, { path: 'edited.bin' }, { path: 'missing.bin' }];
    await writeFile(join(root, 'steady.bin'), 'a');
    await writeFile(join(root, 'edited.bin'), 'b');
    const later = () => Date.now() + 3000;
    const { unchanged } = await hashWithFingerprints(
      root,
      files,
      () => writeFile(join(root, 'edited.bin'), 'c'),
      later,
    );
    expect(Object.keys(unchanged)).toEqual(['steady.bin']);
    // Just written, checked now: racy, so not trusted either.
    const fresh = await hashWithFingerprints(root, files, async () => undefined);
    expect(fresh.unchanged).toEqual({});
  });
});
