import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { OverlayContainer } from '@angular/cdk/overlay';
import { PreheatPageComponent } from './preheat-page.component';
import { PREHEAT_POLL_MS } from './preheat-jobs.component';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import { makeJob, makeSession, makeTask, signedIn, sleep } from '../../../testing/fixtures';

describe('PreheatPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(url = '/preheat', pollMs = 20) {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'preheat', component: PreheatPageComponent }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession()) },
        { provide: PREHEAT_POLL_MS, useValue: pollMs },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, PreheatPageComponent);
    harness.detectChanges();
  }

  const el = () => harness.routeNativeElement!;
  const overlay = () => TestBed.inject(OverlayContainer).getContainerElement();
  const list = (): TestRequest =>
    http.expectOne((r) => r.url === '/api/admin/preheat' && r.method === 'GET');
  const states = () =>
    [...el().querySelectorAll('[data-testid=task-state]')].map((s) => s.textContent!.trim());
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
    await sleep(0);
    harness.detectChanges();
  }

  afterEach(() => http.verify());

  it('shows each seed server’s task: queued, running with percent, done, failed with reason, cancelled', async () => {
    await open();
    list().flush([
      makeJob({
        id: 'j-2',
        site: 'paris',
        tasks: [
          makeTask({ nodeId: 'n-1', nodeName: 'seed-a', state: 'running', percent: 42.4 }),
          makeTask({
            nodeId: 'n-2',
            nodeName: 'seed-b',
            state: 'failed',
            error: 'no peer has piece 7',
          }),
          makeTask({ nodeId: 'n-3', nodeName: 'seed-c', state: 'done', percent: 100 }),
        ],
      }),
      makeJob({
        id: 'j-1',
        cancelled: true,
        createdBy: '1cf5b370-beab-4d80-8287-28123d9815c1',
        tasks: [makeTask({ state: 'cancelled' })],
      }),
    ]);
    await settle();

    const jobs = el().querySelectorAll('[data-testid=preheat-job]');
    expect(jobs).toHaveLength(2);
    const first = jobs[0].textContent!.replace(/\s+/g, ' ');
    expect(first).toContain('ubuntu-24.04.iso');
    expect(first).toContain('every seed server of site paris');
    expect(first).toContain('1 running · 1 done · 1 failed');
    expect(first).toContain('42%');
    expect(first).toContain('by alice');
    expect(jobs[1].textContent).not.toContain('1cf5b370');
    expect(first).toContain('no peer has piece 7');
    const bar = jobs[0].querySelector('[data-testid=task-progress]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(states()).toEqual(['Running', 'Failed', 'Done', 'Cancelled']);
    expect(jobs[0].querySelector('[data-testid=cancel-preheat]')).not.toBeNull();
    expect(jobs[1].querySelector('[data-testid=cancel-preheat]')).toBeNull();
    expect(jobs[1].querySelector('[data-testid=job-cancelled]')!.textContent).toContain(
      'Job cancelled',
    );
    expect(jobs[0].querySelector('[data-testid=job-cancelled]')).toBeNull();

    // A task is still running: the page looks again by itself.
    await sleep(40);
    list().flush([makeJob({ tasks: [makeTask({ state: 'done', percent: 100 })] })]);
    await settle();
    expect(states()).toEqual(['Done']);
    // Nothing is pending any more: no further requests.
    await sleep(60);
    http.expectNone('/api/admin/preheat');
  });

  it('filters by resource from the URL', async () => {
    await open('/preheat?resourceId=r-7');
    const req = list();
    expect(req.request.params.get('resourceId')).toBe('r-7');
    req.flush([]);
    await settle();
    expect(el().querySelector('[data-testid=preheat-filter]')).not.toBeNull();
    expect(el().querySelector('[data-testid=no-preheat-jobs]')!.textContent).toContain(
      'not been preheated',
    );
  });

  it('says when there are no jobs and shows load errors', async () => {
    await open();
    list().flush({ message: 'database down' }, { status: 503, statusText: 'Unavailable' });
    await settle();
    expect(el().querySelector('[data-testid=preheat-error]')!.textContent).toContain(
      'database down',
    );
    (el().querySelector('[data-testid=preheat-error] button') as HTMLButtonElement).click();
    await settle();
    list().flush([]);
    await settle();
    expect(el().querySelector('[data-testid=no-preheat-jobs]')!.textContent).toContain(
      'No preheat jobs yet',
    );
  });

  it('cancels a job only after confirmation', async () => {
    await open('/preheat', 60_000);
    list().flush([makeJob({ tasks: [makeTask({ state: 'queued' })] })]);
    await settle();

    (el().querySelector('[data-testid=cancel-preheat]') as HTMLButtonElement).click();
    await settle();
    expect(overlay().textContent).toContain('Cancel preheat?');
    (overlay().querySelector('[data-testid=confirm]') as HTMLButtonElement).click();
    await settle();
    const req = http.expectOne('/api/admin/preheat/j-1/cancel');
    expect(req.request.method).toBe('POST');
    req.flush(makeJob({ cancelled: true, tasks: [makeTask({ state: 'cancelled' })] }));
    await settle();
    expect(states()).toEqual(['Cancelled']);
    // ...and the list is fetched again, in case a refresh crossed the cancel.
    list().flush([makeJob({ cancelled: true, tasks: [makeTask({ state: 'cancelled' })] })]);
    await settle();
    expect(states()).toEqual(['Cancelled']);
    expect(el().querySelector('[data-testid=cancel-preheat]')).toBeNull();
  });

  it('cancels nothing when the admin changes their mind', async () => {
    await open();
    list().flush([makeJob()]);
    await settle();
    (el().querySelector('[data-testid=cancel-preheat]') as HTMLButtonElement).click();
    await settle();
    [...overlay().querySelectorAll('button')]
      .find((b) => b.textContent?.trim() === 'Cancel')!
      .click();
    await settle();
    http.expectNone('/api/admin/preheat/j-1/cancel');
    // Still queued: it keeps refreshing.
    await sleep(40);
    list().flush([makeJob({ tasks: [makeTask({ state: 'done', percent: 100 })] })]);
    await settle();
  });
});
