import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { UsersService } from './users.service';
import { makeUser, page } from '../../../testing/fixtures';

describe('UsersService', () => {
  let api: UsersService;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    api = TestBed.inject(UsersService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('searches users page by page', () => {
    api.list({ q: 'bo', page: 2, size: 10 }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/admin/users');
    expect(req.request.method).toBe('GET');
    expect(req.request.params.get('q')).toBe('bo');
    expect(req.request.params.get('page')).toBe('2');
    req.flush(page([makeUser()]));
  });

  it('creates, changes role or disabled, and resets passwords', () => {
    api.create({ username: 'bob', password: 'long-enough', role: 'member' }).subscribe();
    const create = http.expectOne('/api/admin/users');
    expect(create.request.method).toBe('POST');
    expect(create.request.body).toEqual({
      username: 'bob',
      password: 'long-enough',
      role: 'member',
    });
    create.flush(makeUser({ username: 'bob' }));

    api.update('u-2', { disabled: true }).subscribe();
    const patch = http.expectOne('/api/admin/users/u-2');
    expect(patch.request.method).toBe('PATCH');
    expect(patch.request.body).toEqual({ disabled: true });
    patch.flush(makeUser({ id: 'u-2', disabled: true }));

    api.setPassword('u-2', 'new-password').subscribe();
    const pw = http.expectOne('/api/admin/users/u-2/password');
    expect(pw.request.method).toBe('POST');
    expect(pw.request.body).toEqual({ password: 'new-password' });
    pw.flush(null, { status: 204, statusText: 'No Content' });
  });
});
