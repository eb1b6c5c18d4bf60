import { BlameLedger } from './blame-ledger.js';

const good = Buffer.from('aaaabbbbccccdddd');
const senders = (...ids: string[]) => new Map(ids.map((id, i) => [i * 4, id]));

describe('blame ledger', () => {
  it('blames a sole sender at once', () => {
    expect(new BlameLedger().failed(0, Buffer.alloc(16), senders('x', 'x', 'x', 'x'))).toEqual({
      blameNow: ['x'],
      retryFromOnePeer: false,
    });
  });

  it('with several senders, blames only those whose blocks differ from the good copy', () => {
    const ledger = new BlameLedger();
    const bad = Buffer.from('aaaaXbbbccccdddd');
    expect(ledger.failed(3, bad, senders('honest', 'liar', 'honest', 'other'))).toEqual({
      blameNow: [],
      retryFromOnePeer: true,
    });
    expect(ledger.verified(3, good)).toEqual(['liar']);
    expect(ledger.verified(3, good)).toEqual([]);
  });

  it('keeps a bounded number of failed copies', () => {
    const ledger = new BlameLedger();
    for (let p = 0; p < 20; p++) ledger.failed(p, Buffer.from('XXXXbbbbccccdddd'), senders('a', 'b', 'a', 'b'));
    expect(ledger.verified(0, good)).toEqual([]);
    expect(ledger.verified(19, good)).toEqual(['a']);
  });
});
