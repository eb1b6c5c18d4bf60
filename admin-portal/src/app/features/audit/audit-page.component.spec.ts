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
import * as saveFile from '../../shared/save-file';
import { makeSession, page, signedIn, sleep } from '../../../testing/fixtures';

function entry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 'a-1',
    action: 'manifest.download',
    userId: 'u-1',
    username: 'alice',
    resourceId: 'd7556684-a536-4b5a-a902-beda744126a1',
    resourceName: 'ubuntu-24.04.iso',
    nodeId: null,
    nodeName: null,
    subjectUserId: null,
    subjectUsername: null,
    address: '10.0.0.7',
    detail: null,
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

  it('lists who did what, from where, and what it was about by name', async () => {
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
            resourceName: null,
            nodeId: '0b7c1f4e-1111-2222-3333-444455556666',
            nodeName: 'laptop-ann',
          }),
          entry({
            id: 'a-3',
            action: 'user.create',
            resourceId: null,
            resourceName: null,
            subjectUserId: 'u-9',
            subjectUsername: 'ivy',
          }),
          entry({
            id: 'a-4',
            action: 'resource.delete',
            resourceName: null,
            detail: '"old kit"',
          }),
        ],
        { total: 4 },
      ),
    );
    await settle();
    expect(el().querySelector('[data-testid=audit-summary]')!.textContent).toContain(
      '4 entries, newest first',
    );
    const [download, revoke, create, del] = rows();
    expect(download).toContain('Downloaded a manifest');
    expect(download).toContain('alice 10.0.0.7');
    expect(download).toContain('Resource ubuntu-24.04.iso');
    const link = el().querySelector('tr.mat-mdc-row a') as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe('/resources/d7556684-a536-4b5a-a902-beda744126a1');
    expect(revoke).toContain('Node laptop-ann');
    expect(create).toContain('Created a user');
    expect(create).toContain('User ivy');
    expect(del).toContain('(deleted)');
    expect(del).toContain('"old kit"');
  });

  it('filters from the URL and writes each filter back to it', async () => {
    await open('/audit?actor=ivy&from=2026-12-01');
    const req = list();
    expect(req.request.params.get('actor')).toBe('ivy');
    expect(req.request.params.get('from')).toBe(new Date(2026, 11, 1).toISOString());
    req.flush(page([entry({ username: 'ivy' })], { total: 1 }));
    await settle();
    expect(el().querySelector('[data-testid=audit-summary]')!.textContent).toContain(
      '1 entry match',
    );

    const target = el().querySelector('[data-testid=audit-target]') as HTMLInputElement;
    target.value = 'Quarterly dataset';
    target.dispatchEvent(new Event('change'));
    await settle();
    expect(TestBed.inject(Router).url).toBe(
      '/audit?actor=ivy&from=2026-12-01&target=Quarterly%20dataset',
    );
    expect(list().request.params.get('target')).toBe('Quarterly dataset');

    (el().querySelector('[data-testid=audit-clear]') as HTMLButtonElement).click();
    await settle();
    expect(TestBed.inject(Router).url).toBe('/audit');
    list().flush(page([]));
    await settle();
    expect(el().querySelector('[data-testid=audit-clear]')).toBeNull();
  });

  it('exports the filtered log as a file', async () => {
    const saved = jest.spyOn(saveFile, 'saveBlob').mockImplementation(() => undefined);
    await open('/audit?action=auth.login');
    list().flush(page([entry()], { total: 1 }));
    await settle();
    (el().querySelector('[data-testid=audit-export]') as HTMLButtonElement).click();
    const exp = http.expectOne((r) => r.url === '/api/admin/audit/export');
    expect(exp.request.params.get('action')).toBe('auth.login');
    exp.flush(new Blob(['x']), {
      headers: { 'Content-Disposition': 'attachment; filename="shoal-audit-x.csv"' },
    });
    await settle();
    expect(saved).toHaveBeenCalledWith(expect.any(Blob), 'shoal-audit-x.csv');
    saved.mockRestore();
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
