import { jest } from '@jest/globals';
import { MemorySwarmStore } from './memory-swarm-store.js';
import type { SwarmMember } from './swarm-store.js';

const member = (nodeId: string, left = 10): SwarmMember => ({
  nodeId,
  name: nodeId,
  role: 'client',
  site: null,
  addresses: ['127.0.0.1:1'],
  left,
});

describe('MemorySwarmStore', () => {
  let store: MemorySwarmStore;
  beforeEach(() => (store = new MemorySwarmStore(60_000)));
  afterEach(() => store.close());

  it('returns members until their entry expires', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      await store.upsert('r1', member('a'), 10);
      await store.upsert('r1', member('b', 0), 30);
      expect((await store.members('r1', 10)).map((m) => m.nodeId).sort()).toEqual(['a', 'b']);
      expect(await store.downloaderCount('r1')).toBe(1);
      jest.setSystemTime(1_000_000 + 11_000);
      expect((await store.members('r1', 10)).map((m) => m.nodeId)).toEqual(['b']);
      expect(await store.downloaderCount('r1')).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps the member object while re-announces change nothing, and extends its expiry', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const first = member('a');
      await store.upsert('r1', first, 10);
      jest.setSystemTime(1_000_000 + 8_000);
      expect(await store.upsert('r1', member('a'), 10)).toBe(false);
      jest.setSystemTime(1_000_000 + 15_000);
      const [kept] = await store.members('r1', 10);
      expect(kept).toBe(first);
      await store.upsert('r1', { ...member('a'), addresses: ['127.0.0.1:2'] }, 10);
      const [changed] = await store.members('r1', 10);
      expect(changed).not.toBe(first);
      expect(changed.addresses).toEqual(['127.0.0.1:2']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('replaces a member on re-announce and removes it on stop', async () => {
    await store.upsert('r1', member('a', 10), 60);
    await store.upsert('r1', member('a', 0), 60);
    expect(await store.members('r1', 10)).toEqual([member('a', 0)]);
    await store.remove('r1', 'a');
    expect(await store.members('r1', 10)).toEqual([]);
  });

  it('caps the number of members returned', async () => {
    for (let i = 0; i < 20; i++) await store.upsert('r1', member(`n${i}`), 60);
    expect(await store.members('r1', 5)).toHaveLength(5);
  });

  it('forgets a revoked node in every swarm', async () => {
    await store.upsert('r1', member('a'), 60);
    await store.upsert('r2', member('a'), 60);
    await store.upsert('r2', member('b'), 60);
    await store.removeNode('a');
    expect(await store.members('r1', 10)).toEqual([]);
    expect((await store.members('r2', 10)).map((m) => m.nodeId)).toEqual(['b']);
    expect(await store.activeDownloads()).toBe(1);
  });

  it('says when a count may change: a new downloader or one that finished, not a steady re-announce', async () => {
    expect(await store.upsert('r1', member('a', 10), 60)).toBe(true);
    expect(await store.upsert('r1', member('a', 5), 60)).toBe(false);
    expect(await store.upsert('r1', member('a', 0), 60)).toBe(true);
    expect(await store.upsert('r1', member('b', 0), 60)).toBe(false);
  });

  it('reports the resources whose downloaders expired, once', async () => {
    jest.useFakeTimers({ now: 2_000_000 });
    try {
      await store.upsert('r1', member('a', 10), 10);
      await store.upsert('r2', member('b', 0), 10);
      expect(await store.drainExpiredDownloads()).toEqual([]);
      jest.setSystemTime(2_000_000 + 11_000);
      expect(await store.drainExpiredDownloads()).toEqual(['r1']);
      expect(await store.drainExpiredDownloads()).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not report a member that stopped as an expired download', async () => {
    jest.useFakeTimers({ now: 3_000_000 });
    try {
      await store.upsert('r1', member('a', 10), 10);
      await store.remove('r1', 'a');
      jest.setSystemTime(3_000_000 + 11_000);
      expect(await store.drainExpiredDownloads()).toEqual([]);
      expect(await store.activeDownloads()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
