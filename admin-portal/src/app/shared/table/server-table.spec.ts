import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Location } from '@angular/common';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Observable, Subject } from 'rxjs';
import type { Page } from '@shoal/contract';
import { page, sleep } from '../../../testing/fixtures';
import { SEARCH_DEBOUNCE_MS, ServerTable } from './server-table';
import { TableQuery } from './table-query';

interface Row {
  id: string;
  name: string;
}
type Filters = { kind: string | null };

/** Each load waits for the test to answer it, so answers can arrive in any order. */
const loads: { query: TableQuery & Filters; answer: Subject<Page<Row>> }[] = [];

@Component({
  template: `<input data-testid="q" [value]="table.searchText()" />`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class HostComponent {
  readonly table = new ServerTable<Row, Filters>({
    sortFields: ['name'],
    filters: (p) => ({ kind: p.get('kind') }),
    load: (query): Observable<Page<Row>> => {
      const answer = new Subject<Page<Row>>();
      loads.push({ query, answer });
      return answer;
    },
  });
}

describe('ServerTable', () => {
  let harness: RouterTestingHarness;
  let table: ServerTable<Row, Filters>;

  async function open(url: string) {
    loads.length = 0;
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: 't', component: HostComponent }])],
    });
    harness = await RouterTestingHarness.create();
    const host = await harness.navigateByUrl(url, HostComponent);
    table = host.table;
    await settle();
  }

  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
  }

  const url = () => TestBed.inject(Location).path();

  it('reads search, filters, page, size and a known sort from the URL, and drops an unknown one', async () => {
    await open('/t?q=%20deb%20&kind=iso&page=3&size=50&sort=-name');
    expect(loads.map((l) => l.query)).toEqual([
      { q: 'deb', kind: 'iso', page: 3, size: 50, sort: '-name' },
    ]);
    expect(table.sort()).toEqual({ active: 'name', direction: 'desc' });

    await harness.navigateByUrl('/t?sort=size');
    await settle();
    expect(loads[1].query).toEqual({ q: '', kind: null, page: 1, size: 25, sort: null });
  });

  it('shows only the newest answer when an older one arrives late', async () => {
    await open('/t');
    await harness.navigateByUrl('/t?page=2');
    await settle();
    expect(loads).toHaveLength(2);
    loads[1].answer.next(page([{ id: 'new', name: 'new' }], { page: 2, total: 26 }));
    loads[0].answer.next(page([{ id: 'old', name: 'old' }]));
    await settle();
    expect(table.rows().map((r) => r.id)).toEqual(['new']);
    expect(table.loading()).toBe(false);
  });

  it('keeps what the user is typing when the echo of an earlier search comes back', async () => {
    await open('/t?page=4');
    table.onSearchInput('ubu');
    table.searchNow();
    // typed on before the URL answered with "ubu"
    table.onSearchInput('ubuntu 2');
    await settle();
    expect(url()).toBe('/t?q=ubu');
    expect(table.searchText()).toBe('ubuntu 2');

    await sleep(SEARCH_DEBOUNCE_MS + 50);
    await settle();
    expect(url()).toBe('/t?q=ubuntu%202');
    expect(loads.at(-1)!.query.q).toBe('ubuntu 2');

    // A link or back/forward is not an echo: the box follows the URL.
    await harness.navigateByUrl('/t?q=debian');
    await settle();
    expect(table.searchText()).toBe('debian');
  });

  it('clears the search with the filters named, back to the first page, keeping the sort', async () => {
    await open('/t?q=x&kind=iso&page=2&sort=name');
    table.clearSearch({ kind: null });
    await settle();
    expect(url()).toBe('/t?sort=name');
    expect(table.searchText()).toBe('');
  });

  it('counts a capped total as a lower bound and offers one more page', async () => {
    await open('/t?q=vega');
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: `r-${i}`, name: 'vega' }));
    loads[0].answer.next(page(rows, { total: 669, totalCapped: true }));
    await settle();
    expect(table.totalText()).toBe('669+');
    expect(table.paginatorLength()).toBe(669 + 25);
  });

  it('adds a history entry for each sort and page (Back walks them)', async () => {
    await open('/t');
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate');
    table.onSort({ active: 'name', direction: 'asc' });
    await settle();
    table.onPage({ pageIndex: 1, pageSize: 25, length: 60, previousPageIndex: 0 });
    await settle();
    expect(navigate.mock.calls.map(([, extras]) => extras?.replaceUrl)).toEqual([false, false]);
    expect(url()).toBe('/t?sort=name&page=2');
  });

  it('knows a page past the end, and goes to the last page instead of keeping the dead entry', async () => {
    await open('/t?page=999');
    loads[0].answer.next(page([], { page: 999, total: 34 }));
    await settle();
    expect(table.pastTheEnd()).toBe(true);
    expect(table.lastPage()).toBe(2);
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate');
    table.goToLastPage();
    await settle();
    expect(url()).toBe('/t?page=2');
    expect(navigate).toHaveBeenCalledWith([], expect.objectContaining({ replaceUrl: true }));
    loads[1].answer.next(page([{ id: 'a', name: 'a' }], { page: 2, total: 34 }));
    await settle();
    expect(table.pastTheEnd()).toBe(false);
  });
});
