import { SwarmStats } from './swarm-stats.js';

describe('stall accounting of a transfer', () => {
  it('counts time without data only while some peer could give us a piece', () => {
    const s = new SwarmStats();
    // Alone for 10 s: nobody can give anything, so that is no stall.
    s.dataArrived(10_000);
    expect(s.longestStallMs).toBe(0);
    s.nobodyCanGive();
    s.peerCanGive(20_000);
    s.dataArrived(20_300);
    expect(s.longestStallMs).toBe(300);
    // Blocks keep coming: each gap is measured from the previous block.
    s.dataArrived(21_000);
    expect(s.longestStallMs).toBe(700);
    s.peerCanGive(21_500); // a have while already waiting does not restart the wait
    s.dataArrived(23_000);
    expect(s.longestStallMs).toBe(2000);
    s.nobodyCanGive();
    s.dataArrived(40_000);
    expect(s.longestStallMs).toBe(2000);
  });

  it('remembers when the first piece was verified, once', () => {
    const s = new SwarmStats();
    expect(s.firstPieceAt).toBeNull();
    s.pieceVerified(1234);
    s.pieceVerified(5678);
    expect(s.firstPieceAt).toBe(1234);
  });
});
