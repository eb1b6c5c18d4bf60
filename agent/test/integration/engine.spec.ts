import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transfer } from '../../src/engine/index.js';
import { makeContent, TestAuthority } from '../support/test-authority.js';

let authority: TestAuthority;
beforeEach(async () => {
  authority = await TestAuthority.start();
});
afterEach(() => authority.close());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const completed = (t: Transfer) =>
  new Promise<void>((resolve, reject) => {
    if (t.isComplete()) return resolve();
    t.once('complete', () => resolve());
    t.once('failed', reject);
  });

describe('two engines over TLS on loopback', () => {
  it('a download through the engine API arrives whole, and both heartbeat reports count its bytes', async () => {
    const size = 300 * 1024;
    const { content, spec } = await makeContent([{ path: 'data.bin', size }], 64 * 1024);
    const { engine: seed } = await authority.engine('seed-1', 'seed');
    const { engine: client } = await authority.engine('client-1', 'client');
    const trackerUrl = `${authority.url}/api/tracker/announce`;
    seed.provide({ ...spec, trackerUrl, ticket: '', peers: [] }, content.root);
    const out = await mkdtemp(join(tmpdir(), 'shoal-engine-out-'));
    const download = await client.download(
      {
        ...spec,
        trackerUrl,
        ticket: await authority.ticket(spec.resourceId, spec.contentId, { node: 'client-1' }),
        peers: [{ address: seed.addresses()[0], nodeId: 'seed-1' }],
      },
      out,
    );
    expect(download.bytesWanted()).toBe(size);
    await completed(download);

    expect(download.bytesLeft()).toBe(0);
    expect(sha(await readFile(join(out, 'data.bin')))).toBe(sha(content.bytes.get('data.bin')!));
    expect(client.heartbeatReport()).toMatchObject({
      holdings: [{ resourceId: spec.resourceId, complete: true, piecesHeld: 5 }],
      downloadedBytes: size,
    });
    expect(download.stats.downloadedFromSeeds).toBe(size);
    // A seed counts a block as sent when it hands it to the socket, before the client has it.
    expect(seed.heartbeatReport()).toMatchObject({
      uploadedBytes: size,
      uploadedToPeersBytes: size,
      downloadedBytes: 0,
    });

    // Dropping the transfers keeps their bytes in the counters: the server reads a
    // counter that goes back as an agent restart, and would count the bytes again.
    await client.remove(spec.resourceId);
    await seed.remove(spec.resourceId);
    expect(client.heartbeatReport()).toMatchObject({ holdings: [], downloadedBytes: size, uploadedBytes: 0 });
    expect(seed.heartbeatReport()).toMatchObject({ holdings: [], uploadedBytes: size, uploadedToPeersBytes: size });
  });
});
