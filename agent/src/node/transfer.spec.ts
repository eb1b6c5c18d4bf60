import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContent, TestAuthority, type TestContent } from '../testing/test-authority.js';
import type { Swarm } from '../swarm/swarm.js';
import type { TransferSpec } from './transfer-spec.js';

const PIECE = 16 * 1024;


let authority: TestAuthority;
beforeEach(async () => {
  authority = await TestAuthority.start();
});
afterEach(() => authority.close());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const completed = (swarm: Swarm) =>
  new Promise<void>((resolve, reject) => {
    if (swarm.isComplete()) return resolve();
    swarm.once('complete', resolve);
    swarm.once('failed', reject);
  });

async function expectSameContent(content: TestContent, outDir: string): Promise<void> {
  for (const f of content.files) {
    expect(sha(await readFile(join(outDir, f.path)))).toBe(sha(content.bytes.get(f.path)!));
  }
  expect(await readdir(outDir)).not.toContain('.shoal-partial');
}

async function seedAndSpec(files: { path: string; size: number }[], uploadLimit?: number) {
  const { content, spec: base } = await makeContent(files, PIECE);
  const seed = await authority.node('seed-1', 'seed', { uploadLimit });
  const spec: TransferSpec = {
    ...base,
    trackerUrl: `${authority.url}/api/tracker/announce`,
    ticket: '',
    peers: [],
  };
  seed.node.provide(spec, content.root);
  const downloaderSpec = async (nodeId?: string): Promise<TransferSpec> => ({
    ...spec,
    ticket: await authority.ticket(spec.resourceId, spec.contentId, { node: nodeId }),
    peers: [{ address: seed.node.addresses()[0], nodeId: 'seed-1' }],
  });
  return { content, spec, seed, downloaderSpec };
}

describe('transfer between real agents over TLS on loopback', () => {
  it('one seed and four downloaders: all byte-identical, and the downloaders feed each other', async () => {
    const size = 2 * 1024 * 1024;
    const { content, seed, downloaderSpec } = await seedAndSpec([{ path: 'big.bin', size }], 512 * 1024);
    const downloaders = await Promise.all(['d1', 'd2', 'd3', 'd4'].map((id) => authority.node(id, 'client')));
    const outs = await Promise.all(downloaders.map(() => mkdtemp(join(tmpdir(), 'shoal-out-'))));
    const swarms = await Promise.all(
      downloaders.map(async (d, i) => d.node.download(await downloaderSpec(), outs[i])),
    );
    await Promise.all(swarms.map(completed));
    for (const out of outs) await expectSameContent(content, out);

    const fromPeers = swarms.reduce((a, s) => a + s.stats.downloadedFromPeers, 0);
    const fromSeeds = swarms.reduce((a, s) => a + s.stats.downloadedFromSeeds, 0);
    expect(fromPeers + fromSeeds).toBe(4 * size);
    // The seed is slow on purpose: most bytes must have come from other downloaders.
    expect(fromPeers).toBeGreaterThan(size);
    expect(swarms.every((s) => s.stats.uploadedToPeers > 0)).toBe(true);
    const seedSwarm = seed.node.transfers.values().next().value!.swarm;
    // The seed may have sent a few more: end-game duplicates that arrived after a cancel.
    expect(seedSwarm.stats.uploaded).toBeGreaterThanOrEqual(fromSeeds);
  }, 60_000);
});
