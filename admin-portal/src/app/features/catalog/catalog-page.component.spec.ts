import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Location } from '@angular/common';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { CatalogPageComponent } from './catalog-page.component';
import { SEARCH_DEBOUNCE_MS } from '../../shared/table/server-table';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import {
  makeResource,
  makeSession,
  makeUser,
  page,
  signedIn,
  sleep,
} from '../../../testing/fixtures';

@Component({ template: 'detail', changeDetection: ChangeDetectionStrategy.OnPush })
class DetailStub {}

describe('CatalogPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(url: string, role: 'admin' | 'member' = 'member') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'resources', component: CatalogPageComponent },
          { path: 'resources/:id', component: DetailStub },
        ]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession({ user: makeUser({ role }) })) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, CatalogPageComponent);
    harness.detectChanges();
  }

  function pending(): TestRequest {
    return http.expectOne((r) => r.url === '/api/resources');
  }

  function el(): HTMLElement {
    return harness.routeNativeElement!;
  }

  function text(selector: string): string {
    return el().querySelector(selector)?.textContent?.trim() ?? '';
  }

  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
  }

  const url = () => TestBed.inject(Location).path();

  afterEach(() => http.verify());

  it('asks the server for what the URL says (a shared link)', async () => {
    await open('/resources?q=ubuntu&page=3&size=50&sort=-seeds');
    const req = pending();
    expect(req.request.params.get('q')).toBe('ubuntu');
    expect(req.request.params.get('page')).toBe('3');
    expect(req.request.params.get('size')).toBe('50');
    expect(req.request.params.get('sort')).toBe('-seeds');
    req.flush(page([], { total: 0 }));
    await settle();
    expect((el().querySelector('[data-testid=search]') as HTMLInputElement).value).toBe('ubuntu');
  });

  it('shows name, human size with exact bytes on hover, seed and downloader counts', async () => {
    await open('/resources');
    pending().flush(
      page([
        makeResource({
          name: 'ubuntu-24.04.iso',
          size: 1610612736,
          seedCount: 2,
          downloaderCount: 5,
        }),
      ]),
    );
    await settle();

    const row = el().querySelector('tr.mat-mdc-row')!;
    expect(row.querySelector('a')?.textContent).toContain('ubuntu-24.04.iso');
    expect(row.querySelector('a')?.getAttribute('href')).toBe('/resources/r-1');
    const size = row.querySelector('[data-testid=size]')!;
    expect(size.textContent?.trim()).toBe('1.5 GiB');
    expect(size.getAttribute('title')).toBe('1,610,612,736 bytes');
    expect(row.querySelector('[data-testid=seeds]')?.textContent?.trim()).toBe('2');
    expect(row.querySelector('[data-testid=downloaders]')?.textContent?.trim()).toBe('5');
    expect(text('[data-testid=summary]')).toBe('1 resource');
  });

  it('shows a loading state before the first answer', async () => {
    await open('/resources');
    expect(text('[data-testid=loading-state]')).toContain('Loading resources');
    pending().flush(page([]));
    await settle();
    expect(el().querySelector('[data-testid=loading-state]')).toBeNull();
  });

  it('searches on the server after a pause in typing and keeps it in the URL', async () => {
    await open('/resources?page=4');
    pending().flush(page([makeResource()], { total: 100 }));
    await settle();

    const input = el().querySelector('[data-testid=search]') as HTMLInputElement;
    for (const partial of ['u', 'ub', 'ubu']) {
      input.value = partial;
      input.dispatchEvent(new Event('input'));
    }
    http.expectNone((r) => r.url === '/api/resources');
    await sleep(SEARCH_DEBOUNCE_MS + 50);
    await settle();

    const req = pending();
    expect(req.request.params.get('q')).toBe('ubu');
    expect(req.request.params.get('page')).toBe('1');
    req.flush(page([]));
    expect(url()).toBe('/resources?q=ubu');
  });

  it('adds a history entry per search, refining it while the user keeps typing', async () => {
    await open('/resources');
    pending().flush(page([makeResource()]));
    await settle();
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate');
    const input = el().querySelector('[data-testid=search]') as HTMLInputElement;
    const type = async (text: string) => {
      input.value = text;
      input.dispatchEvent(new Event('input'));
      await sleep(SEARCH_DEBOUNCE_MS + 50);
      await settle();
      pending().flush(page([]));
      await settle();
    };
    await type('deb');
    expect(navigate).toHaveBeenLastCalledWith([], expect.objectContaining({ replaceUrl: false }));
    await type('debian');
    expect(navigate).toHaveBeenLastCalledWith([], expect.objectContaining({ replaceUrl: true }));
    expect(url()).toBe('/resources?q=debian');
  });

  it('says nothing matched, and clearing the search lists everything again', async () => {
    await open('/resources?q=zzz');
    pending().flush(page([], { total: 0 }));
    await settle();
    expect(text('[data-testid=empty-state]')).toContain('No resources match “zzz”');

    (el().querySelector('[data-testid=empty-state] button') as HTMLButtonElement).click();
    await settle();
    const req = pending();
    expect(req.request.params.has('q')).toBe(false);
    req.flush(page([makeResource()]));
    expect(url()).toBe('/resources');
  });

  it('sorts on the server when a header is clicked, descending on the second click', async () => {
    await open('/resources?page=2');
    pending().flush(page([makeResource()], { total: 60 }));
    await settle();

    const header = () =>
      [...el().querySelectorAll('th .mat-sort-header-container')].find((h) =>
        h.textContent?.includes('Downloaders'),
      ) as HTMLElement;
    header().click();
    await settle();
    let req = pending();
    expect(req.request.params.get('sort')).toBe('downloaders');
    expect(req.request.params.get('page')).toBe('1');
    req.flush(page([makeResource()], { total: 60 }));
    await settle();
    expect(url()).toBe('/resources?sort=downloaders');

    header().click();
    await settle();
    req = pending();
    expect(req.request.params.get('sort')).toBe('-downloaders');
    req.flush(page([makeResource()], { total: 60 }));
  });

  it('pages through the results', async () => {
    await open('/resources');
    pending().flush(page([makeResource()], { total: 60 }));
    await settle();
    (el().querySelector('button.mat-mdc-paginator-navigation-next') as HTMLButtonElement).click();
    await settle();
    const req = pending();
    expect(req.request.params.get('page')).toBe('2');
    req.flush(page([makeResource()], { total: 60, page: 2 }));
    expect(url()).toBe('/resources?page=2');
  });

  it('shows a capped total as N+ and still pages on until a page comes back short', async () => {
    const full = (from: number) =>
      Array.from({ length: 25 }, (_, i) => makeResource({ id: `r-${from + i}` }));
    const next = () =>
      el().querySelector('button.mat-mdc-paginator-navigation-next') as HTMLButtonElement;
    const range = () => text('.mat-mdc-paginator-range-label');
    // Material keeps disabled paginator buttons focusable (disabledInteractive)
    const nextDisabled = () => next().getAttribute('aria-disabled') === 'true';

    await open('/resources?q=vega%20server');
    pending().flush(page(full(1), { total: 669, totalCapped: true }));
    await settle();
    expect(text('[data-testid=summary]')).toBe('669+ resources match “vega server”');
    expect(range()).toBe('1 – 25 of 669+');
    // no "last page": where it is is not known yet
    expect(el().querySelector('button.mat-mdc-paginator-navigation-last')).toBeNull();
    expect(nextDisabled()).toBe(false);

    // the bound is already reached on page 27: the next page is still offered
    await harness.navigateByUrl('/resources?q=vega%20server&page=27');
    let req = pending();
    expect(req.request.params.get('page')).toBe('27');
    req.flush(page(full(651), { total: 675, totalCapped: true, page: 27 }));
    await settle();
    expect(range()).toBe('651 – 675 of 675+');
    expect(nextDisabled()).toBe(false);

    next().click();
    await settle();
    req = pending();
    expect(req.request.params.get('page')).toBe('28');
    expect(url()).toBe('/resources?q=vega%20server&page=28');
    // a short page is the last one: now the total is exact
    req.flush(page([makeResource({ id: 'r-676' })], { total: 676, totalCapped: true, page: 28 }));
    await settle();
    expect(text('[data-testid=summary]')).toBe('676 resources match “vega server”');
    expect(range()).toBe('676 – 676 of 676');
    expect(nextDisabled()).toBe(true);
  });

  it("shows the server's message when loading fails, and retries", async () => {
    await open('/resources');
    pending().flush(
      { statusCode: 500, code: 'internal', message: 'Database unavailable' },
      { status: 500, statusText: 'Server Error' },
    );
    await settle();
    expect(text('[data-testid=error-state]')).toContain('Database unavailable');

    (el().querySelector('[data-testid=error-state] button') as HTMLButtonElement).click();
    await settle();
    pending().flush(page([makeResource()]));
    await settle();
    expect(el().querySelector('[data-testid=error-state]')).toBeNull();
    expect(el().querySelectorAll('tr.mat-mdc-row')).toHaveLength(1);
  });

  it('offers publishing only to admins', async () => {
    await open('/resources', 'member');
    pending().flush(page([]));
    await settle();
    expect(el().querySelector('a[href="/publish"]')).toBeNull();
    expect(text('[data-testid=empty-state]')).toContain('Nothing has been published yet');

    TestBed.resetTestingModule();
    await open('/resources', 'admin');
    pending().flush(page([]));
    await settle();
    expect(el().querySelector('a[href="/publish"]')).not.toBeNull();
  });

  it('opens the detail page when a row is clicked', async () => {
    await open('/resources');
    pending().flush(page([makeResource({ id: 'r-42' })]));
    await settle();
    (el().querySelector('tr.mat-mdc-row td:nth-child(2)') as HTMLElement).click();
    await settle();
    expect(TestBed.inject(Router).url).toBe('/resources/r-42');
  });
});
