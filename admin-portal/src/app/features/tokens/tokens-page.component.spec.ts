import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { OverlayContainer } from '@angular/cdk/overlay';
import type { ApiTokenSummary, UserRole } from '@shoal/contract';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import { makeSession, makeUser, signedIn, sleep } from '../../../testing/fixtures';
import { TokensPageComponent } from './tokens-page.component';

const token = (over: Partial<ApiTokenSummary> = {}): ApiTokenSummary => ({
  id: '11111111-1111-4111-8111-111111111111',
  name: 'nightly build',
  scopes: ['publish'],
  createdAt: '2026-12-01T08:00:00.000Z',
  expiresAt: '2027-03-01T08:00:00.000Z',
  expired: false,
  lastUsedAt: '2026-12-03T09:00:00.000Z',
  ...over,
});
const SECRET = `shoal_pat_22222222-2222-4222-8222-222222222222_${'s'.repeat(43)}`;

describe('TokensPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(role: UserRole = 'admin') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'tokens', component: TokensPageComponent }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession({ user: makeUser({ role }) })) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/tokens', TokensPageComponent);
    harness.detectChanges();
  }
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
    await sleep(0);
    harness.detectChanges();
  }
  const el = () => harness.routeNativeElement!;
  const overlay = () => TestBed.inject(OverlayContainer).getContainerElement();
  const cells = (id: string, root: HTMLElement = el()) =>
    [...root.querySelectorAll(`[data-testid=${id}]`)].map((c) => c.textContent!.trim());
  const list = () => http.expectOne((r) => r.method === 'GET' && r.url === '/api/me/tokens');

  afterEach(() => http.verify());

  it('lists name, what each token may do, expiry and last use, never a secret', async () => {
    await open();
    list().flush([
      token(),
      token({
        id: 't-2',
        name: 'reader',
        scopes: ['catalog:read'],
        lastUsedAt: null,
        expired: true,
      }),
    ]);
    await settle();
    expect(cells('api-token-name')).toEqual(['nightly build', 'reader']);
    expect(cells('api-token-scopes')).toEqual([
      'Publish, edit and delete resources (and read)',
      'Read the catalog and download',
    ]);
    expect(cells('api-token-last-used')[1]).toBe('never');
    expect(cells('api-token-expires')[1]).toBe('Expired');
    expect(el().textContent).not.toContain('shoal_pat_');
  });

  it('says so when there are none, and when the list cannot be read', async () => {
    await open();
    list().flush([]);
    await settle();
    expect(el().querySelector('[data-testid=api-tokens-empty]')).not.toBeNull();
    (el().querySelector('.page-header button') as HTMLButtonElement).click();
    await settle();
    (overlay().querySelector('[mat-dialog-close]') as HTMLButtonElement).click();
    await settle();
    list().flush({ code: 'boom', message: 'database down' }, { status: 500, statusText: 'Error' });
    await settle();
    expect(el().querySelector('[data-testid=api-tokens-error]')!.textContent).toContain(
      'database down',
    );
  });

  it('creates a token, shows its secret once with a copy button, then lists it without', async () => {
    await open();
    list().flush([]);
    await settle();
    (el().querySelector('[data-testid=add-api-token]') as HTMLButtonElement).click();
    await settle();
    // An admin may give any scope.
    expect(overlay().querySelectorAll('mat-radio-button')).toHaveLength(3);
    const name = overlay().querySelector('[data-testid=token-name]') as HTMLInputElement;
    name.value = 'release pipeline';
    name.dispatchEvent(new Event('input'));
    (overlay().querySelector('[data-testid=scope-publish] input') as HTMLInputElement).click();
    await settle();
    (overlay().querySelector('[data-testid=create-api-token]') as HTMLButtonElement).click();
    await settle();
    const create = http.expectOne((r) => r.method === 'POST' && r.url === '/api/me/tokens');
    expect(create.request.body).toEqual({
      name: 'release pipeline',
      scopes: ['publish'],
      expiresInDays: 90,
    });
    create.flush({ ...token({ name: 'release pipeline', lastUsedAt: null }), token: SECRET });
    await settle();
    expect(overlay().querySelector('[data-testid=new-token]')!.textContent).toBe(SECRET);
    expect(overlay().querySelector('[aria-label="Copy the token"]')).not.toBeNull();
    expect(overlay().textContent).toContain('shown only once');
    expect(overlay().textContent).toContain('--token-stdin');

    (overlay().querySelector('[mat-dialog-close]') as HTMLButtonElement).click();
    await settle();
    list().flush([token({ name: 'release pipeline', lastUsedAt: null })]);
    await settle();
    expect(cells('api-token-name')).toEqual(['release pipeline']);
    expect(el().textContent).not.toContain(SECRET);
  });

  it('offers a member only the scope their role allows', async () => {
    await open('member');
    list().flush([]);
    await settle();
    (el().querySelector('[data-testid=add-api-token]') as HTMLButtonElement).click();
    await settle();
    const scopes = [...overlay().querySelectorAll('mat-radio-button')].map((r) =>
      r.textContent!.trim(),
    );
    expect(scopes).toEqual(['Read the catalog and download']);
  });

  it('revokes a token after confirmation and removes it from the list', async () => {
    await open();
    list().flush([token(), token({ id: 't-2', name: 'keep me' })]);
    await settle();
    (el().querySelector('[data-testid=revoke-api-token]') as HTMLButtonElement).click();
    await settle();
    expect(overlay().textContent).toContain('Revoke the token "nightly build"?');
    (overlay().querySelector('[data-testid=confirm]') as HTMLButtonElement).click();
    await settle();
    const del = http.expectOne(`/api/me/tokens/${token().id}`);
    expect(del.request.method).toBe('DELETE');
    del.flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(cells('api-token-name')).toEqual(['keep me']);
  });
});
