import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { OverlayContainer } from '@angular/cdk/overlay';
import type { EnrollmentTokenSummary } from '@shoal/contract';
import { EnrollmentTokensPageComponent } from './enrollment-tokens-page.component';
import { page, sleep } from '../../../testing/fixtures';

const token = (over: Partial<EnrollmentTokenSummary> = {}): EnrollmentTokenSummary => ({
  id: 't-1',
  role: 'seed',
  site: 'fra',
  maxUses: 100,
  uses: 37,
  state: 'active',
  expiresAt: '2026-12-10T10:00:00.000Z',
  lastUsedAt: '2026-12-03T09:00:00.000Z',
  revokedAt: null,
  createdBy: 'admin',
  createdAt: '2026-12-03T08:00:00.000Z',
  ...over,
});

describe('EnrollmentTokensPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(url = '/tokens') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'tokens', component: EnrollmentTokensPageComponent }]),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, EnrollmentTokensPageComponent);
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

  it('shows how many machines each token enrolled out of its cap, and its state', async () => {
    await open('/tokens?state=active');
    const req = http.expectOne((r) => r.url === '/api/admin/enrollment-tokens');
    expect(req.request.params.get('state')).toBe('active');
    req.flush(page([token(), token({ id: 't-2', maxUses: 1, uses: 1, state: 'used-up' })]));
    await settle();
    const uses = [...el().querySelectorAll('[data-testid=token-uses]')].map((c) =>
      c.textContent?.trim(),
    );
    expect(uses).toEqual(['37 of 100', '1 of 1']);
    const states = [...el().querySelectorAll('[data-testid=token-state]')].map((c) =>
      c.textContent?.trim(),
    );
    expect(states).toEqual(['Active', 'Used up']);
    // Only a token that still enrolls can be revoked.
    expect(el().querySelectorAll('[data-testid=revoke-token]')).toHaveLength(1);
  });

  it('revokes a token after confirmation and shows it revoked', async () => {
    await open();
    http.expectOne((r) => r.url === '/api/admin/enrollment-tokens').flush(page([token()]));
    await settle();
    (el().querySelector('[data-testid=revoke-token]') as HTMLButtonElement).click();
    await settle();
    expect(overlay().textContent).toContain('37 of 100 used');
    (overlay().querySelector('[data-testid=confirm]') as HTMLButtonElement).click();
    await settle();
    http
      .expectOne('/api/admin/enrollment-tokens/t-1/revoke')
      .flush(token({ state: 'revoked', revokedAt: '2026-12-03T10:00:00.000Z' }));
    await settle();
    expect(el().querySelector('[data-testid=token-state]')!.textContent).toContain('Revoked');
    expect(el().querySelector('[data-testid=revoke-token]')).toBeNull();
  });
});
