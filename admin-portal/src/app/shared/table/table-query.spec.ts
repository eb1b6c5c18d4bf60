import { parsePageSize, parsePositiveInt, parseSort, sortParam } from './table-query';

describe('table query helpers', () => {
  const fields = ['name', 'size'];

  it('reads ascending and descending sorts and ignores unknown fields', () => {
    expect(parseSort('name', fields)).toEqual({ active: 'name', direction: 'asc' });
    expect(parseSort('-size', fields)).toEqual({ active: 'size', direction: 'desc' });
    expect(parseSort('-bogus', fields)).toEqual({ active: '', direction: '' });
    expect(parseSort(null, fields)).toEqual({ active: '', direction: '' });
  });

  it('writes sorts the way the API wants them', () => {
    expect(sortParam({ active: 'name', direction: 'asc' })).toBe('name');
    expect(sortParam({ active: 'size', direction: 'desc' })).toBe('-size');
    expect(sortParam({ active: 'size', direction: '' })).toBeNull();
  });

  it('falls back on bad page numbers and sizes', () => {
    expect(parsePositiveInt('3', 1)).toBe(3);
    expect(parsePositiveInt('0', 1)).toBe(1);
    expect(parsePositiveInt('abc', 1)).toBe(1);
    expect(parsePageSize('50')).toBe(50);
    expect(parsePageSize('7')).toBe(25);
  });
});
