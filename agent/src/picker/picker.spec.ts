import { PiecePicker, RANDOM_FIRST_PIECES } from './piece-picker.js';
import { MAX_DUPLICATE_REQUESTS, RequestPlanner } from './request-planner.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const all = () => true;
const none = () => false;

function seededRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

describe('piece picker', () => {
  it('picks at random among candidates for the first pieces', () => {
    const firsts = new Set<number>();
    for (let seed = 1; seed < 40; seed++) {
      const picker = new PiecePicker(100, new Set(range(100)), seededRandom(seed));
      firsts.add(picker.pick(all, none)!);
    }
    expect(firsts.size).toBeGreaterThan(10);
  });

  it('then picks the rarest piece the peer has', () => {
    const picker = new PiecePicker(10, new Set(range(10)), seededRandom(1));
    for (const p of range(RANDOM_FIRST_PIECES)) picker.markHeld(p);
    for (const p of range(10)) picker.peerHas(p);
    for (const p of range(10)) if (p !== 7 && p !== 8) picker.peerHas(p);
    expect([7, 8]).toContain(picker.pick(all, none));
    expect(picker.pick((p) => p !== 7 && p !== 8, none)).not.toBeNull();
    picker.peerLost(5);
    picker.peerLost(5);
    expect(picker.pick((p) => p !== 7 && p !== 8, none)).toBe(5);
  });

  it('never picks held, unwanted, in-progress or unavailable pieces', () => {
    const picker = new PiecePicker(6, new Set([1, 2, 3]));
    picker.markHeld(1);
    expect(
      picker.pick(
        (p) => p !== 3,
        (p) => p === 2,
      ),
    ).toBeNull();
    expect(picker.pick(all, none)).not.toBe(1);
    expect(picker.remaining()).toEqual([2, 3]);
  });
});

describe('request planner', () => {
  const setup = (pieces: number, maxInProgress = 4) => {
    const picker = new PiecePicker(pieces, new Set(range(pieces)), seededRandom(3));
    const planner = new RequestPlanner(picker, () => 100, 40, maxInProgress);
    return { picker, planner };
  };

  it('splits a piece into blocks and finishes started pieces before starting new ones', () => {
    const { planner } = setup(3);
    const first = planner.next('a', all)!;
    expect(first.offset).toBe(0);
    const second = planner.next('b', all)!;
    expect(second).toEqual({ piece: first.piece, offset: 40, length: 40 });
    expect(planner.next('a', all)).toEqual({ piece: first.piece, offset: 80, length: 20 });
    expect(planner.next('a', all)!.piece).not.toBe(first.piece);
  });

  it('hands back a whole piece once every block arrived', () => {
    const { planner } = setup(1);
    const refs = [planner.next('a', all)!, planner.next('a', all)!, planner.next('a', all)!];
    const outcomes = refs.map((r) => planner.receive('a', r.piece, r.offset, Buffer.alloc(r.length, r.offset)));
    expect(outcomes.slice(0, 2).every((o) => o.accepted && !o.completed)).toBe(true);
    const done = outcomes[2].completed!;
    expect(done.data.length).toBe(100);
    expect(done.data[45]).toBe(40);
    expect([...done.contributors]).toEqual([['a', 100]]);
  });

  it('counts pieces still being hashed and written against the cap, so a slow disk holds back fetching', () => {
    const { planner } = setup(6, 2);
    const fetchWhole = () => {
      const refs = [planner.next('a', all)!, planner.next('a', all)!, planner.next('a', all)!];
      return refs.map((r) => planner.receive('a', r.piece, r.offset, Buffer.alloc(r.length))).at(-1)!.completed!;
    };
    const first = fetchWhole();
    const second = fetchWhole();
    expect(planner.next('a', all)).toBeNull();
    planner.verified(first.piece);
    expect(planner.next('a', all)).not.toBeNull();
    expect(planner.next('a', all)?.piece).not.toBe(second.piece);
  });

  it('refuses blocks nobody asked that peer for, of the wrong size, or twice', () => {
    const { planner } = setup(1);
    const r = planner.next('a', all)!;
    expect(planner.receive('b', r.piece, r.offset, Buffer.alloc(40)).accepted).toBe(false);
    expect(planner.receive('a', r.piece, r.offset, Buffer.alloc(39)).accepted).toBe(false);
    expect(planner.receive('a', r.piece, r.offset, Buffer.alloc(40)).accepted).toBe(true);
    expect(planner.receive('a', r.piece, r.offset, Buffer.alloc(40)).accepted).toBe(false);
  });

  it('in end-game asks for a block at most twice, and cancels the duplicate when it arrives', () => {
    const { planner } = setup(1);
    const refs = [planner.next('a', all)!, planner.next('a', all)!, planner.next('a', all)!];
    expect(planner.inEndGame()).toBe(true);
    const dup = planner.next('b', all)!;
    expect(dup).toEqual(refs[0]);
    const dups = [dup, planner.next('b', all)!, planner.next('b', all)!];
    expect(dups.map((d) => d.offset)).toEqual([0, 40, 80]);
    expect(planner.next('c', all)).toBeNull();
    expect(MAX_DUPLICATE_REQUESTS).toBe(2);
    const outcome = planner.receive('b', 0, 40, Buffer.alloc(40));
    expect(outcome.cancelAt).toEqual(['a']);
    expect(planner.receive('a', 0, 40, Buffer.alloc(40)).accepted).toBe(false);
  });

  it('re-offers the blocks of a peer that left or timed out', () => {
    const { planner } = setup(1);
    const r = planner.next('a', all)!;
    planner.releasePeer('a');
    expect(planner.next('b', all)).toEqual(r);
    planner.release('b', r);
    expect(planner.next('c', all)).toEqual(r);
  });

  it('starts a piece over after it failed its hash', () => {
    const { planner } = setup(1);
    const refs = [planner.next('a', all)!, planner.next('a', all)!, planner.next('a', all)!];
    const last = refs.map((r) => planner.receive('a', r.piece, r.offset, Buffer.alloc(r.length))).pop()!;
    planner.discard(last.completed!.piece);
    expect(planner.next('b', all)).toEqual({ piece: 0, offset: 0, length: 40 });
  });

  it('keeps pieces in progress under the cap unless the peer can help with none of them', () => {
    const { planner } = setup(10, 2);
    planner.next('a', all);
    planner.next('a', all);
    planner.next('a', all);
    planner.next('a', all);
    planner.next('a', all);
    planner.next('a', all);
    expect(planner.inProgress.size).toBe(2);
    expect(planner.next('a', all)).toBeNull();
    const started = new Set(planner.inProgress.keys());
    expect(planner.next('b', (p) => !started.has(p))).not.toBeNull();
    expect(planner.inProgress.size).toBe(3);
  });

  it('re-fetches a piece that failed with mixed senders from one peer only', () => {
    const { planner } = setup(1);
    const a = planner.next('a', all)!;
    const b = planner.next('b', all)!;
    const c = planner.next('a', all)!;
    for (const [peer, r] of [
      ['a', a],
      ['b', b],
      ['a', c],
    ] as const)
      planner.receive(peer, r.piece, r.offset, Buffer.alloc(r.length));
    planner.discard(0, true);
    const first = planner.next('b', all)!;
    expect(first).toEqual({ piece: 0, offset: 0, length: 40 });
    // Neither a plain request nor end-game hands any block of it to another peer.
    expect(planner.next('a', all)).toBeNull();
    expect(planner.next('b', all)).toEqual({ piece: 0, offset: 40, length: 40 });
    // If that peer leaves, the retry starts over with whoever asks next.
    planner.releasePeer('b');
    expect(planner.next('a', all)).toEqual({ piece: 0, offset: 0, length: 40 });
  });
});
