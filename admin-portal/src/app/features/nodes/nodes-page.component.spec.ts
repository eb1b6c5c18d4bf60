import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Location } from '@angular/common';
import { OverlayContainer } from '@angular/cdk/overlay';
import { NodesPageComponent } from './nodes-page.component';
import { makeNode, page, sleep } from '../../../testing/fixtures';

describe('NodesPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(url = '/nodes') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'nodes', component: NodesPageComponent }]),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, NodesPageComponent);
    harness.detectChanges();
  }

  const el = () => harness.routeNativeElement!;
  const overlay = () => TestBed.inject(OverlayContainer).getContainerElement();
  const list = (): TestRequest => http.expectOne((r) => r.url === '/api/admin/nodes');
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
    await sleep(0);
    harness.detectChanges();
  }

  afterEach(() => http.verify());

  it('lists nodes with role, site, addresses, state, holdings and traffic', async () => {
    await open();
    list().flush(
      page([
        makeNode({ name: 'seed-paris', online: true, uploadedBytes: 5 * 1024 ** 3 }),
        makeNode({
          id: 'n-2',
          name: 'laptop',
          role: 'client',
          site: null,
          online: false,
          lastHeartbeatAt: null,
        }),
        makeNode({ id: 'n-3', name: 'old', revoked: true, online: false }),
      ]),
    );
    await settle();
    const rows = [...el().querySelectorAll('tr.mat-mdc-row')].map((r) =>
      r.textContent!.replace(/\s+/g, ' '),
    );
    expect(rows[0]).toContain('seed-paris');
    expect(rows[0]).toContain('Seed server');
    expect(rows[0]).toContain('10.0.0.1:7070');
    expect(rows[0]).toContain('Online');
    expect(rows[0]).toContain('5 GiB');
    expect(rows[1]).toContain('Client');
    expect(rows[1]).toContain('Offline');
    expect(rows[1]).toContain('never');
    expect(rows[2]).toContain('Revoked');
    // A revoked node has no revoke button.
    expect(el().querySelectorAll('[data-testid=revoke]')).toHaveLength(2);
    // Each name opens the node's page.
    const links = [...el().querySelectorAll<HTMLAnchorElement>('[data-testid=node-link]')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      '/nodes/n-1',
      '/nodes/n-2',
      '/nodes/n-3',
    ]);
  });

  it("labels the server's built-in seed and offers no revoke for it", async () => {
    await open();
    list().flush(
      page([
        makeNode({ id: 'n-b', name: 'builtin-seed', site: null, builtin: true }),
        makeNode({ id: 'n-1', name: 'seed-paris' }),
      ]),
    );
    await settle();
    const rows = el().querySelectorAll('tr.mat-mdc-row');
    expect(rows[0].querySelector('[data-testid=builtin]')!.textContent!.trim()).toBe('built-in');
    expect(rows[0].querySelector('[data-testid=revoke]')).toBeNull();
    expect(rows[1].querySelector('[data-testid=builtin]')).toBeNull();
    expect(rows[1].querySelector('[data-testid=revoke]')).not.toBeNull();
  });

  it('filters from the URL and writes filter changes back to it', async () => {
    await open('/nodes?role=seed&online=true&sort=name');
    const req = list();
    expect(req.request.params.get('role')).toBe('seed');
    expect(req.request.params.get('online')).toBe('true');
    expect(req.request.params.get('sort')).toBe('name');
    req.flush(page([], { total: 0 }));
    await settle();
    expect(el().querySelector('[data-testid=empty-state]')!.textContent).toContain(
      'No nodes match',
    );

    (el().querySelector('[data-testid=empty-state] button') as HTMLButtonElement).click();
    await settle();
    const cleared = list();
    expect(cleared.request.params.has('role')).toBe(false);
    expect(cleared.request.params.has('online')).toBe(false);
    cleared.flush(page([makeNode()]));
    expect(TestBed.inject(Location).path()).toBe('/nodes?sort=name');
  });

  it('sorts by every field the server accepts, uploaded bytes too', async () => {
    await open('/nodes?sort=-uploaded');
    const req = list();
    expect(req.request.params.get('sort')).toBe('-uploaded');
    req.flush(page([makeNode()]));
    await settle();
    const header = [...el().querySelectorAll('th')].find((h) =>
      h.textContent?.includes('Uploaded'),
    )!;
    expect(header.getAttribute('aria-sort')).toBe('descending');

    (header.querySelector('.mat-sort-header-container') as HTMLElement).click();
    await settle();
    const next = list();
    expect(next.request.params.has('sort')).toBe(false);
    next.flush(page([makeNode()]));
  });

  it('revokes a node after confirmation', async () => {
    await open();
    list().flush(page([makeNode({ id: 'n-1', name: 'seed-paris' })]));
    await settle();

    (el().querySelector('[data-testid=revoke]') as HTMLButtonElement).click();
    await settle();
    expect(overlay().textContent).toContain('Revoke seed-paris?');
    (overlay().querySelector('[data-testid=confirm]') as HTMLButtonElement).click();
    await settle();

    const req = http.expectOne('/api/admin/nodes/n-1/revoke');
    req.flush(makeNode({ id: 'n-1', name: 'seed-paris', revoked: true, online: false }));
    await settle();
    expect(el().querySelector('[data-testid=node-status]')!.textContent).toContain('Revoked');
    expect(el().querySelector('[data-testid=revoke]')).toBeNull();
  });

  it('creates an enrollment token and shows the enroll command once', async () => {
    await open();
    list().flush(page([]));
    await settle();

    (el().querySelector('[data-testid=add-seed]') as HTMLButtonElement).click();
    await settle();
    const site = overlay().querySelector('[data-testid=enroll-site]') as HTMLInputElement;
    site.value = 'paris-dc1';
    site.dispatchEvent(new Event('input'));
    (overlay().querySelector('[data-testid=create-token]') as HTMLButtonElement).click();

    const req = http.expectOne('/api/admin/enrollment-tokens');
    // One machine unless the admin asks for more.
    expect(req.request.body).toEqual({
      role: 'seed',
      ttlSeconds: 86400,
      site: 'paris-dc1',
      maxUses: 1,
    });
    const command = 'shoal enroll --server http://portal:3000 --token abc.def --site paris-dc1';
    req.flush({ token: 'abc.def', expiresAt: '2026-11-27T10:00:00.000Z', enrollCommand: command });
    await settle();
    // A server without a packaged agent says so instead of offering a download.
    http.expectOne('/api/downloads/agent').flush({ available: false });
    await settle();
    expect(overlay().querySelector('[data-testid=agent-missing]')).not.toBeNull();
    expect(overlay().querySelector('[data-testid=enroll-command]')!.textContent).toBe(command);
    expect(overlay().textContent).toContain('shown only once');

    // Closing refreshes the list (the new node may already have enrolled).
    const done = [...overlay().querySelectorAll('button')].find((b) =>
      b.textContent?.includes('Done'),
    )!;
    done.click();
    await settle();
    list().flush(page([]));
  });

  it('creates a token for a fleet, and shows how to get the agent before the enroll command', async () => {
    await open();
    list().flush(page([]));
    await settle();
    (el().querySelector('[data-testid=add-seed]') as HTMLButtonElement).click();
    await settle();
    const uses = overlay().querySelector('[data-testid=enroll-max-uses]') as HTMLInputElement;
    for (const bad of ['0', '10001']) {
      uses.value = bad;
      uses.dispatchEvent(new Event('input'));
      (overlay().querySelector('[data-testid=create-token]') as HTMLButtonElement).click();
      await settle();
      http.expectNone('/api/admin/enrollment-tokens');
      expect(overlay().textContent).toContain('A whole number from 1 to 10000');
    }
    uses.value = '100';
    uses.dispatchEvent(new Event('input'));
    (overlay().querySelector('[data-testid=create-token]') as HTMLButtonElement).click();
    const req = http.expectOne('/api/admin/enrollment-tokens');
    expect(req.request.body).toMatchObject({ maxUses: 100 });
    const command =
      'shoal enroll --server http://portal:3000 --token abc.def --role seed --name "$(hostname)" --listen 0.0.0.0:7070 && shoal serve';
    req.flush({
      token: 'abc.def',
      expiresAt: '2026-11-27T10:00:00.000Z',
      enrollCommand: command,
      maxUses: 100,
      uses: 0,
    });
    await settle();
    http.expectOne('/api/downloads/agent').flush({
      available: true,
      url: '/downloads/shoal',
      checksumUrl: '/downloads/shoal.sha256',
      sha256: 'ab'.repeat(32),
      sizeBytes: 1000,
    });
    await settle();
    const install = overlay().querySelector('[data-testid=install-command]')!;
    const enroll = overlay().querySelector('[data-testid=enroll-command]')!;
    expect(install.textContent).toContain(
      '/downloads/shoal.sha256 && sha256sum -c shoal.sha256 && chmod +x shoal',
    );
    // The install line comes first, then the enroll command; no login line in this dialog.
    expect(install.compareDocumentPosition(enroll) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(overlay().querySelector('[data-testid=login-command]')).toBeNull();
    expect(enroll.textContent).toBe(command);
    // Wrapped only between arguments: each flag and its value is one unbreakable group.
    const groups = [...enroll.querySelectorAll('.arg')].map((g) => g.textContent);
    expect(groups).toContain('--token abc.def');
    expect(groups).toContain('--name "$(hostname)"');
    expect(overlay().textContent).toContain('each new machine (up to 100)');
    expect(overlay().textContent).toContain('for 100 machines');
  });

  it("shows the server's message when the list fails", async () => {
    await open();
    list().flush(
      { statusCode: 403, code: 'forbidden', message: 'Admins only' },
      { status: 403, statusText: 'Forbidden' },
    );
    await settle();
    expect(el().querySelector('[data-testid=error-state]')!.textContent).toContain('Admins only');
  });
});
