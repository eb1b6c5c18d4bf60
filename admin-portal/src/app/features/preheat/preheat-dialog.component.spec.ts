import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { MatDialog } from '@angular/material/dialog';
import { OverlayContainer } from '@angular/cdk/overlay';
import { ApplicationRef } from '@angular/core';
import type { PreheatJob } from '@shoal/contract';
import { PreheatDialogComponent, PreheatDialogData } from './preheat-dialog.component';
import { makeJob, makeNode, page, sleep } from '../../../testing/fixtures';

describe('PreheatDialogComponent', () => {
  let http: HttpTestingController;
  let closed: PreheatJob | undefined | null;

  async function open() {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    closed = null;
    TestBed.inject(MatDialog)
      .open<PreheatDialogComponent, PreheatDialogData>(PreheatDialogComponent, {
        data: { resourceId: 'r-1', resourceName: 'ubuntu-24.04.iso' },
      })
      .afterClosed()
      .subscribe((job) => (closed = job));
    await settle();
    http
      .expectOne((r) => r.url === '/api/admin/nodes' && r.params.get('role') === 'seed')
      .flush(
        page([
          makeNode({ id: 'n-1', name: 'seed-paris-1', site: 'paris' }),
          makeNode({ id: 'n-2', name: 'seed-paris-2', site: 'paris', online: false }),
          makeNode({ id: 'n-3', name: 'seed-lyon', site: 'lyon' }),
          makeNode({ id: 'n-4', name: 'seed-old', site: 'lyon', revoked: true }),
        ]),
      );
    await settle();
  }

  const overlay = () => TestBed.inject(OverlayContainer).getContainerElement();
  const q = <T extends HTMLElement>(s: string) => overlay().querySelector(s) as T;
  async function settle() {
    TestBed.inject(ApplicationRef).tick();
    await sleep(0);
    TestBed.inject(ApplicationRef).tick();
  }
  const options = () => [...overlay().querySelectorAll<HTMLElement>('mat-list-option')];

  afterEach(() => http.verify());

  it('offers the seed servers that are not revoked, and sends the chosen ones', async () => {
    await open();
    expect(options().map((o) => o.textContent!.replace(/\s+/g, ' ').trim())).toEqual([
      'seed-paris-1 paris · online',
      'seed-paris-2 paris · offline',
      'seed-lyon lyon · online',
    ]);

    // Nothing chosen yet: says so and sends nothing.
    q<HTMLButtonElement>('[data-testid=start-preheat]').click();
    await settle();
    expect(overlay().textContent).toContain('Choose at least one seed server');
    http.expectNone('/api/admin/preheat');

    options()[0].click();
    options()[2].click();
    await settle();
    expect(q('[data-testid=start-preheat]').textContent).toContain('Preheat on 2');
    q<HTMLButtonElement>('[data-testid=start-preheat]').click();
    const req = http.expectOne('/api/admin/preheat');
    expect(req.request.body).toEqual({ resourceId: 'r-1', nodeIds: ['n-1', 'n-3'] });
    const job = makeJob();
    req.flush(job);
    await settle();
    expect(closed).toEqual(job);
  });

  it('preheats every seed server of a site', async () => {
    await open();
    q<HTMLElement>('[data-testid=mode-site] input').click();
    await settle();
    q<HTMLElement>('[data-testid=preheat-site] .mat-mdc-select-trigger').click();
    await settle();
    const siteOptions = [...overlay().querySelectorAll<HTMLElement>('mat-option')];
    expect(siteOptions.map((o) => o.textContent!.trim())).toEqual([
      'lyon (1 seed server)',
      'paris (2 seed servers)',
    ]);
    siteOptions[1].click();
    await settle();
    q<HTMLButtonElement>('[data-testid=start-preheat]').click();
    const req = http.expectOne('/api/admin/preheat');
    expect(req.request.body).toEqual({ resourceId: 'r-1', site: 'paris' });
    req.flush(makeJob({ site: 'paris' }));
    await settle();
    expect(closed?.site).toBe('paris');
  });

  it("keeps the dialog open with the server's refusal", async () => {
    await open();
    options()[0].click();
    await settle();
    q<HTMLButtonElement>('[data-testid=start-preheat]').click();
    http
      .expectOne('/api/admin/preheat')
      .flush(
        { statusCode: 422, code: 'invalid_target', message: 'nodeIds.0: revoked' },
        { status: 422, statusText: 'Unprocessable Entity' },
      );
    await settle();
    expect(q('[data-testid=preheat-dialog-error]').textContent).toContain('nodeIds.0: revoked');
    expect(closed).toBeNull();
  });
});
