import { LowerBoundPaginatorIntl, formatTotal, paginatorLength, shownTotal } from './page-total';
import { page } from '../../../testing/fixtures';

const full = (n = 25) => Array.from({ length: n }, (_, i) => i);

describe('shownTotal', () => {
  it('is the exact total when the API did not cap it', () => {
    expect(shownTotal(page(full(), { total: 9278 }))).toEqual({ count: 9278, atLeast: false });
  });

  it('is a lower bound while a capped page is full', () => {
    expect(shownTotal(page(full(), { total: 669, totalCapped: true }))).toEqual({
      count: 669,
      atLeast: true,
    });
    // never less than the rows up to this page
    expect(shownTotal(page(full(), { total: 669, totalCapped: true, page: 30 }))).toEqual({
      count: 750,
      atLeast: true,
    });
  });

  it('is exact once a capped page comes back short: that page is the last', () => {
    expect(shownTotal(page(full(7), { total: 669, totalCapped: true, page: 3 }))).toEqual({
      count: 57,
      atLeast: false,
    });
  });
});

describe('paginatorLength', () => {
  it('is the total, or one page more while the total is a lower bound', () => {
    expect(paginatorLength(null, 25)).toBe(0);
    expect(paginatorLength({ count: 60, atLeast: false }, 25)).toBe(60);
    expect(paginatorLength({ count: 669, atLeast: true }, 25)).toBe(694);
  });
});

describe('formatTotal', () => {
  it('groups thousands and marks a lower bound with +', () => {
    expect(formatTotal({ count: 1000000, atLeast: false })).toBe('1,000,000');
    expect(formatTotal({ count: 10000, atLeast: true })).toBe('10,000+');
  });
});

describe('LowerBoundPaginatorIntl', () => {
  it("keeps Material's label for exact totals and says N+ for lower bounds", () => {
    const intl = new LowerBoundPaginatorIntl();
    const changes = jest.fn();
    intl.changes.subscribe(changes);
    expect(intl.getRangeLabel(1, 25, 60)).toBe('26 – 50 of 60');
    intl.show({ count: 669, atLeast: true });
    expect(changes).toHaveBeenCalledTimes(1);
    expect(intl.getRangeLabel(1, 25, 694)).toBe('26 – 50 of 669+');
    expect(intl.getRangeLabel(30, 25, 800)).toBe('751 – 775 of 775+');
    intl.show({ count: 669, atLeast: true });
    expect(changes).toHaveBeenCalledTimes(1);
    intl.show({ count: 57, atLeast: false });
    expect(intl.getRangeLabel(2, 25, 57)).toBe('51 – 57 of 57');
  });

  it('says a page past the end is past the end, not "24951 – 24975 of 34"', () => {
    const intl = new LowerBoundPaginatorIntl();
    intl.show({ count: 34, atLeast: false });
    expect(intl.getRangeLabel(998, 25, 34)).toBe('Page 999 of 2: past the end');
  });
});
