import { CountPipe, countOf } from './count';

describe('countOf', () => {
  it('is singular for exactly one and plural otherwise, with grouped digits', () => {
    expect(countOf(1, 'node')).toBe('1 node');
    expect(countOf(0, 'node')).toBe('0 nodes');
    expect(countOf(2, 'seed server')).toBe('2 seed servers');
    expect(countOf(1234, 'entry', 'entries')).toBe('1,234 entries');
    expect(new CountPipe().transform(1, 'entry', 'entries')).toBe('1 entry');
  });
});
