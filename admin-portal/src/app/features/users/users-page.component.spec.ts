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
import { UsersPageComponent } from './users-page.component';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import { makeSession, makeUser, page, signedIn, sleep } from '../../../testing/fixtures';

describe('UsersPageComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;
  const me = makeUser({ id: 'u-me', username: 'alice', role: 'admin' });
  const bob = makeUser({ id: 'u-bob', username: 'bob', role: 'member' });

  async function open(url = '/users') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'users', component: UsersPageComponent }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession({ user: me })) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, UsersPageComponent);
    harness.detectChanges();
    list().flush(page([me, bob]));
    await settle();
  }

  const el = () => harness.routeNativeElement!;
  const overlay = () => TestBed.inject(OverlayContainer).getContainerElement();
  const list = (): TestRequest => http.expectOne((r) => r.url === '/api/admin/users');
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
    await sleep(0);
    harness.detectChanges();
  }
  function menuFor(index: number): HTMLElement[] {
    (el().querySelectorAll('[data-testid=user-actions]')[index] as HTMLButtonElement).click();
    harness.detectChanges();
    return [...overlay().querySelectorAll<HTMLElement>('[mat-menu-item], .mat-mdc-menu-item')];
  }

  afterEach(() => http.verify());

  it('lists users with role and status', async () => {
    await open();
    const rows = [...el().querySelectorAll('tr.mat-mdc-row')].map((r) =>
      r.textContent!.replace(/\s+/g, ' '),
    );
    expect(rows[0]).toContain('alice (you)');
    expect(rows[0]).toContain('Admin');
    expect(rows[1]).toContain('bob');
    expect(rows[1]).toContain('Member');
    expect(rows[1]).toContain('Active');
  });

  it('promotes a member to admin', async () => {
    await open();
    const items = menuFor(1);
    items.find((i) => i.textContent?.includes('Make admin'))!.click();
    const req = http.expectOne('/api/admin/users/u-bob');
    expect(req.request.body).toEqual({ role: 'admin' });
    req.flush({ ...bob, role: 'admin' });
    await settle();
    expect(el().querySelectorAll('tr.mat-mdc-row')[1].textContent).toContain('Admin');
  });

  it('disables a user only after confirmation', async () => {
    await open();
    menuFor(1)
      .find((i) => i.textContent?.includes('Disable'))!
      .click();
    await settle();
    (overlay().querySelector('[data-testid=confirm]') as HTMLButtonElement).click();
    await settle();
    const req = http.expectOne('/api/admin/users/u-bob');
    expect(req.request.body).toEqual({ disabled: true });
    req.flush({ ...bob, disabled: true });
    await settle();
    expect(el().querySelectorAll('tr.mat-mdc-row')[1].textContent).toContain('Disabled');
  });

  it('does not offer to demote or disable yourself', async () => {
    await open();
    const labels = menuFor(0).map((i) => i.textContent!.trim());
    expect(labels.some((l) => l.includes('Make member'))).toBe(false);
    expect(labels.some((l) => l.includes('Disable'))).toBe(false);
    expect(labels.some((l) => l.includes('Reset password'))).toBe(true);
  });

  it('creates a user and refreshes the list', async () => {
    await open();
    (el().querySelector('[data-testid=new-user]') as HTMLButtonElement).click();
    await settle();
    const type = (sel: string, v: string) => {
      const i = overlay().querySelector(sel) as HTMLInputElement;
      i.value = v;
      i.dispatchEvent(new Event('input'));
    };
    type('[data-testid=new-username]', 'carol');
    type('[data-testid=new-password]', 'short');
    (overlay().querySelector('[data-testid=create-user]') as HTMLButtonElement).click();
    http.expectNone('/api/admin/users');

    type('[data-testid=new-password]', 'long-enough-pw');
    (overlay().querySelector('[data-testid=create-user]') as HTMLButtonElement).click();
    const req = http.expectOne((r) => r.url === '/api/admin/users' && r.method === 'POST');
    expect(req.request.body).toEqual({
      username: 'carol',
      password: 'long-enough-pw',
      role: 'member',
    });
    req.flush(makeUser({ id: 'u-carol', username: 'carol', role: 'member' }));
    await settle();
    list().flush(page([me, bob, makeUser({ id: 'u-carol', username: 'carol', role: 'member' })]));
    await settle();
    expect(el().textContent).toContain('carol');
  });

  it("shows the server's message when creating fails", async () => {
    await open();
    (el().querySelector('[data-testid=new-user]') as HTMLButtonElement).click();
    await settle();
    const u = overlay().querySelector('[data-testid=new-username]') as HTMLInputElement;
    u.value = 'bob';
    u.dispatchEvent(new Event('input'));
    const p = overlay().querySelector('[data-testid=new-password]') as HTMLInputElement;
    p.value = 'long-enough-pw';
    p.dispatchEvent(new Event('input'));
    (overlay().querySelector('[data-testid=create-user]') as HTMLButtonElement).click();
    http
      .expectOne((r) => r.method === 'POST')
      .flush(
        { statusCode: 409, code: 'conflict', message: 'Username already taken' },
        { status: 409, statusText: 'Conflict' },
      );
    await settle();
    expect(overlay().querySelector('[role=alert]')!.textContent).toContain(
      'Username already taken',
    );
  });
});
