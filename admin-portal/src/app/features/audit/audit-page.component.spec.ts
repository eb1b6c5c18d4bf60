import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { AuditEntry } from '@shoal/contract';
import { AuditPageComponent } from './audit-page.component';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import { makeSession, page, signedIn, sleep } from '../../../testing/fixtures';

function entry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 'a-1',
    action: 'manifest.download',
    userId: 'u-1',
    username: 'alice',
    resourceId: 'd7556684-a536-4b5a-a902-beda744126a1',
    nodeId: null,
    at: '2026-11-26T09:00:00.000Z',
    ...over,
  };
}

describe('AuditPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(url = '/audit') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'audit', component: AuditPageComponent }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession()) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, AuditPageComponent);
    harness.detectChanges();
  }

  const el = () => harness.routeNativeElement!;
  const list = (): TestRequest => http.expectOne((r) => r.url === '/api/admin/audit');
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

  it('lists who did what, with links to the resource', async () => {
    await open();
    const req = list();
    expect(req.request.params.get('page')).toBe('1');
    expect(req.request.params.get('size')).toBe('25');
    req.flush(
      page(
        [
          entry(),
          entry({
            id: 'a-2',
            action: 'node.revoke',
            resourceId: null,
            nodeId: '0b7c1f4e-1111-2222-3333-444455556666',
            username: null,
          }),
        ],
        { total: 2 },
      ),
    );
    await settle();
    expect(el().querySelector('[data-testid=audit-summary]')!.textContent).toContain(
      '2 entries, newest first',
    );
    const [first, second] = rows();
    expect(first).toContain('Downloaded a manifest');
    expect(first).toContain('manifest.download');
    expect(first).toContain('alice');
    expect(first).toContain('d7556684…');
    const link = el().querySelector('tr.mat-mdc-row a') as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe('/resources/d7556684-a536-4b5a-a902-beda744126a1');
    expect(second).toContain('Revoked a node');
    expect(second).toContain('0b7c1f4e…');
  });

  it('keeps the page in the URL', async () => {
    await open('/audit?page=3&size=10');
    const req = list();
    expect(req.request.params.get('page')).toBe('3');
    expect(req.request.params.get('size')).toBe('10');
    req.flush(page([entry()], { total: 45, page: 3, size: 10 }));
    await settle();

    (el().querySelector('button[aria-label="Next page"]') as HTMLButtonElement).click();
    await settle();
    expect(TestBed.inject(Router).url).toBe('/audit?page=4&size=10');
    expect(list().request.params.get('page')).toBe('4');
  });

  it('shows empty and error states', async () => {
    await open();
    list().flush(page([]));
    await settle();
    expect(el().querySelector('[data-testid=empty-state]')!.textContent).toContain(
      'Nothing has been recorded yet',
    );

    await harness.navigateByUrl('/audit?page=2');
    list().flush({ message: 'boom' }, { status: 500, statusText: 'Server Error' });
    await settle();
    expect(el().querySelector('[data-testid=error-state]')!.textContent).toContain('boom');
    (el().querySelector('[data-testid=error-state] button') as HTMLButtonElement).click();
    await settle();
    list().flush(page([entry()], { total: 1 }));
    await settle();
    expect(rows()).toHaveLength(1);
  });
});
