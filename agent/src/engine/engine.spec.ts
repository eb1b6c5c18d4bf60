import { makeContent, TestAuthority } from '../../test/support/test-authority.js';

const PIECE = 16 * 1024;
let authority: TestAuthority;
beforeAll(async () => {
  authority = await TestAuthority.start();
});
afterAll(() => authority.close());

describe('engine', () => {
  it('reports each holding with its pieces in the heartbeat body, and drops a removed one', async () => {
    const { engine } = await authority.engine('seed-e', 'seed');
    const one = await makeContent([{ path: 'a/one.bin', size: 2 * PIECE + 100 }], PIECE);
    const two = await makeContent([{ path: 'two.bin', size: PIECE }], PIECE);
    // No tracker URL: the holdings stay local, nothing announces.
    const held = engine.provide({ ...one.spec, trackerUrl: '', ticket: '', peers: [] }, one.content.root);
    engine.provide({ ...two.spec, trackerUrl: '', ticket: '', peers: [] }, two.content.root);
    expect(held.isComplete()).toBe(true);
    expect(engine.transfer(one.spec.resourceId)).toBe(held);
    expect(engine.addresses()).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    expect(engine.heartbeatReport()).toEqual({
      addresses: engine.addresses(),
      holdings: [
        { resourceId: one.spec.resourceId, complete: true, piecesHeld: 3 },
        { resourceId: two.spec.resourceId, complete: true, piecesHeld: 1 },
      ],
      uploadedBytes: 0,
      downloadedBytes: 0,
      uploadedToPeersBytes: 0,
    });

    await engine.remove(one.spec.resourceId);
    expect(engine.transfer(one.spec.resourceId)).toBeUndefined();
    const preheat = [{ jobId: 'job-1', state: 'running' as const, percent: 40 }];
    expect(engine.heartbeatReport({ addresses: ['seed.example:7000'], preheat })).toEqual({
      addresses: ['seed.example:7000'],
      holdings: [{ resourceId: two.spec.resourceId, complete: true, piecesHeld: 1 }],
      uploadedBytes: 0,
      downloadedBytes: 0,
      uploadedToPeersBytes: 0,
      preheat,
    });
  });
});
