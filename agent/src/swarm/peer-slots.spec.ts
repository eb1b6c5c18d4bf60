import { ownerOf } from '../identity/owner.js';
import { decideSlot, defaultPerOwner, type SlotHolder } from './peer-slots.js';

const policy = { maxPeers: 4, perOwner: 2, idleEvictMs: 1000 };
const holder = (nodeId: string, owner: string, idleMs = 0): SlotHolder => ({ nodeId, owner, idleMs });

describe('peer slots', () => {
  it('admits newcomers while slots are free, up to the per-owner cap', () => {
    expect(decideSlot('user:a', [], policy)).toEqual({ admit: true, evict: null });
    expect(decideSlot('user:a', [holder('n1', 'user:a')], policy)).toEqual({ admit: true, evict: null });
    expect(decideSlot('user:a', [holder('n1', 'user:a'), holder('n2', 'user:a')], policy)).toEqual({
      admit: false,
      reason: 'too many peers of one owner (2 of 2)',
    });
  });

  it('lets an owner at its cap swap its own idle peer for a new one (a machine that reconnected)', () => {
    const held = [holder('n1', 'user:a', 5000), holder('n2', 'user:a', 10)];
    expect(decideSlot('user:a', held, policy)).toEqual({ admit: true, evict: 'n1' });
  });

  it('takes a slot back from the owner holding most when the swarm is full', () => {
    // Owner b was let in with 2 (its cap), c and d hold one each: full. Owner e arrives.
    const held = [
      holder('b1', 'user:b', 10),
      holder('b2', 'user:b', 20),
      holder('c1', 'node:c'),
      holder('d1', 'node:d'),
    ];
    expect(decideSlot('node:e', held, policy)).toEqual({ admit: true, evict: 'b2' });
    // A second peer of c would only trade places with b: not worth a churn, and nobody is idle.
    expect(decideSlot('node:c', held, { ...policy, perOwner: 3 })).toEqual({ admit: false, reason: 'too many peers' });
  });

  it('gives the slot of the longest idle peer to a newcomer when every owner holds its fair share', () => {
    const held = [
      holder('a', 'node:a', 1500),
      holder('b', 'node:b', 4000),
      holder('c', 'node:c'),
      holder('d', 'node:d'),
    ];
    expect(decideSlot('node:e', held, policy)).toEqual({ admit: true, evict: 'b' });
    const busy = held.map((h) => ({ ...h, idleMs: 10 }));
    expect(decideSlot('node:e', busy, policy)).toEqual({ admit: false, reason: 'too many peers' });
  });

  it('names the enrolling user as owner of self-enrolled nodes, and each token-enrolled node its own owner', () => {
    expect(ownerOf({ sub: 'n1', own: 'u1' })).toBe('user:u1');
    expect(ownerOf({ sub: 'n1' })).toBe('node:n1');
    // A user id can never pass for a node id or the other way round.
    expect(ownerOf({ sub: 'x' })).not.toBe(ownerOf({ sub: 'y', own: 'x' }));
    expect([1, 8, 16, 32, 100].map(defaultPerOwner)).toEqual([2, 2, 2, 4, 13]);
  });
});
