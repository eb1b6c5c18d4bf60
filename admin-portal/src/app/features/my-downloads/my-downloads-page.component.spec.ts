import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import { MY_DOWNLOADS_POLL_MS, MyDownloadsPageComponent } from './my-downloads-page.component';
import { makeDownloadRequest, makeSession, page, signedIn, sleep } from '../../../testing/fixtures';

describe('MyDownloadsPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(pollMs = 60_000) {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'my-downloads', component: MyDownloadsPageComponent }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession()) },
        { provide: MY_DOWNLOADS_POLL_MS, useValue: pollMs },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/my-downloads', MyDownloadsPageComponent);
    harness.detectChanges();
  }

  const el = () => harness.routeNativeElement!;
  const list = (): TestRequest =>
    http.expectOne((r) => r.method === 'GET' && r.url === '/api/me/download-requests');
  const rows = () =>
    [...el().querySelectorAll('tr.mat-mdc-row')].map((r) => r.textContent!.replace(/\s+/g, ' '));
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
    await sleep(0);
    harness.detectChanges();
  }

  afterEach(() => http.verify());

  it('lists each request with its machine, state, progress and a link to the resource', async () => {
    await open(10);
    list().flush(
      page(
        [
          makeDownloadRequest(),
          makeDownloadRequest({
            id: 'd-2',
            resourceId: 'r-2',
            resourceName: 'big.iso',
            state: 'failed',
            error:
              'this machine accepts no downloads: run shoal enroll (or shoal config) with --download-dir DIR',
          }),
          makeDownloadRequest({
            id: 'd-3',
            state: 'done',
            doneBytes: 2 * 1024 * 1024,
            requestedBy: 'admin',
          }),
        ],
        { total: 3 },
      ),
    );
    await settle();
    const [running, failed, done] = rows();
    expect(running).toContain('ubuntu-24.04.iso');
    expect(running).toContain('alice-laptop');
    expect(running).toContain('Downloading');
    expect(running).toContain('512 KiB of 2 MiB · 25%');
    expect(failed).toContain('Failed');
    expect(failed).toContain('accepts no downloads');
    expect(done).toContain('Done');
    expect(done).toContain('100%');
    // Who sent it is said only when it was someone else.
    expect(done).toContain('by admin');
    expect(running).not.toContain('by alice');
    const link = el().querySelector('[data-testid=request-resource]') as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe('/resources/r-1');
    // Only the open one can be cancelled.
    expect(el().querySelectorAll('[data-testid=cancel-request]')).toHaveLength(1);
    // Something is still on its way: the page looks again by itself.
    await sleep(30);
    list().flush(
      page([makeDownloadRequest({ state: 'done', doneBytes: 2 * 1024 * 1024 })], { total: 1 }),
    );
    await settle();
    expect(rows()[0]).toContain('Done');
    await sleep(30);
    http.expectNone((r) => r.url === '/api/me/download-requests');
  });

  it('cancels an open request and shows it cancelled', async () => {
    await open();
    list().flush(page([makeDownloadRequest({ state: 'queued', doneBytes: 0 })], { total: 1 }));
    await settle();
    expect(rows()[0]).toContain('Waiting for the machine');
    (el().querySelector('[data-testid=cancel-request]') as HTMLButtonElement).click();
    http
      .expectOne({ method: 'DELETE', url: '/api/me/download-requests/d-1' })
      .flush(makeDownloadRequest({ state: 'cancelled' }));
    await settle();
    list().flush(page([makeDownloadRequest({ state: 'cancelled' })], { total: 1 }));
    await settle();
    expect(rows()[0]).toContain('Cancelled');
    expect(el().querySelector('[data-testid=cancel-request]')).toBeNull();
  });

  it('says what to do when nothing was sent yet', async () => {
    await open();
    list().flush(page([]));
    await settle();
    expect(el().querySelector('[data-testid=empty-state]')!.textContent).toContain(
      'Send to my machine',
    );
  });
});
