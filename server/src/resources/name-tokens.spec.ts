import { nameWords, narrowingWords, queryWords } from './name-tokens.js';

describe('name words', () => {
  it('splits on punctuation and lower-cases, keeping Unicode letters', () => {
    expect(nameWords('Ubuntu-22.04_Server.ISO')).toEqual(['ubuntu', '22', '04', 'server', 'iso']);
    expect(nameWords('Größe Daten')).toEqual(['größe', 'daten']);
  });

  it('drops duplicates and empty parts', () => {
    expect(nameWords('--a--A--')).toEqual(['a']);
  });

  it('makes no word of pure punctuation, so such a query adds no word filter', () => {
    expect(queryWords("%_'\\")).toEqual([]);
    expect(queryWords(undefined)).toEqual([]);
  });

  it('bounds the number of words in a query', () => {
    expect(queryWords('a b c d e f g h i j k')).toHaveLength(8);
  });

  it('drops query words that start another query word (they match nothing more)', () => {
    expect(narrowingWords(['ori', 'orion', 'server'])).toEqual(['orion', 'server']);
    expect(narrowingWords(['orion', 'ori'])).toEqual(['orion']);
    expect(narrowingWords(['a', 'b'])).toEqual(['a', 'b']);
    expect(narrowingWords([])).toEqual([]);
  });
});
