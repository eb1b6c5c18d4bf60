import { InitialSeeding, STALL_MS } from './initial-seeding.js';

const MiB = 1024 * 1024;
const nothing = () => false;

describe('initial seeding', () => {
  it('offers each downloader its own pieces, shared fairly among those present', () => {
    const seeding = new InitialSeeding(40, MiB);
    // Alone, a downloader is offered a window of new pieces (an eighth of them at most).
    expect(seeding.join('a', nothing)!).toHaveLength(5);
    const fresh = new InitialSeeding(12, MiB);
    const first = fresh.join('a', nothing)!;
    const second = fresh.join('b', nothing)!;
    expect(first.length + second.length).toBeLessThanOrEqual(12);
    expect(first.filter((p) => second.includes(p))).toEqual([]);
  });

  it('refills a window as pieces arrive, and never offers a piece the swarm already has', () => {
    const seeding = new InitialSeeding(400, 8 * MiB); // window: 4 pieces (32 MiB)
    const a = seeding.join('a', nothing)!;
    const b = seeding.join('b', nothing)!;
    expect(a).toHaveLength(4);
    expect(b).toHaveLength(4);
    // b got one of a's pieces from a: nothing new for either, b still waits for its own 4.
    expect(seeding.peerHas('b', a[0], nothing).size).toBe(0);
    // a finished a piece of its own: one more for a, a piece nobody was offered.
    const next = seeding.peerHas('a', a[0], (p) => p === a[0]).get('a')!;
    expect(next).toHaveLength(1);
    expect([...a, ...b]).not.toContain(next[0]);
  });

  it('offers everything to everyone once every piece has reached a downloader', () => {
    const seeding = new InitialSeeding(6, 8 * MiB);
    const offered = { a: new Set(seeding.join('a', nothing)!), b: new Set(seeding.join('b', nothing)!) };
    const add = (m: Map<string, number[]>) => m.forEach((ps, id) => ps.forEach((p) => offered[id as 'a' | 'b'].add(p)));
    for (let round = 0; round < 6 && !seeding.isOver(); round++) {
      for (const id of ['a', 'b'] as const) for (const p of [...offered[id]]) add(seeding.peerHas(id, p, nothing));
    }
    expect(seeding.isOver()).toBe(true);
    expect([...offered.a].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...offered.b].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('ends the first pass when nothing moves for a while', () => {
    const seeding = new InitialSeeding(400, 8 * MiB);
    const a = seeding.join('a', nothing)!;
    expect(seeding.finishIfStalled(Date.now()).size).toBe(0);
    const rest = seeding.finishIfStalled(Date.now() + STALL_MS + 1).get('a')!;
    expect(seeding.isOver()).toBe(true);
    expect(rest).toHaveLength(400 - a.length);
  });

  it('offers again what a downloader that left never got', () => {
    const seeding = new InitialSeeding(400, 8 * MiB);
    const a = seeding.join('a', nothing)!;
    const b = seeding.join('b', nothing)!;
    seeding.leave('a');
    const more = new Set<number>();
    for (const p of b) for (const q of seeding.peerHas('b', p, (x) => x === p).get('b') ?? []) more.add(q);
    expect(a.some((p) => more.has(p))).toBe(true);
  });
});
