import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NodesService } from './nodes.service';
import { makeNode, page } from '../../../testing/fixtures';

describe('NodesService', () => {
  let api: NodesService;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    api = TestBed.inject(NodesService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('filters by text, role and online state, sorted by the server', () => {
    api
      .list({ q: 'paris', role: 'seed', online: false, page: 1, size: 25, sort: '-lastHeartbeat' })
      .subscribe();
    const req = http.expectOne((r) => r.url === '/api/admin/nodes');
    expect(req.request.params.get('q')).toBe('paris');
    expect(req.request.params.get('role')).toBe('seed');
    expect(req.request.params.get('online')).toBe('false');
    expect(req.request.params.get('sort')).toBe('-lastHeartbeat');
    req.flush(page([makeNode()]));
  });

  it('sends no filter it was not given', () => {
    api.list({ q: '', role: null, online: null, page: 1, size: 25, sort: null }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/admin/nodes');
    expect(req.request.params.keys().sort()).toEqual(['page', 'size']);
    req.flush(page([]));
  });

  it('revokes a node and creates enrollment tokens', () => {
    api.revoke('n-1').subscribe();
    const revoke = http.expectOne('/api/admin/nodes/n-1/revoke');
    expect(revoke.request.method).toBe('POST');
    revoke.flush(makeNode({ revoked: true }));

    api.createEnrollmentToken({ role: 'seed', site: 'paris', ttlSeconds: 3600 }).subscribe();
    const token = http.expectOne('/api/admin/enrollment-tokens');
    expect(token.request.method).toBe('POST');
    expect(token.request.body).toEqual({ role: 'seed', site: 'paris', ttlSeconds: 3600 });
    token.flush({
      token: 't',
      expiresAt: '2026-11-27T00:00:00.000Z',
      enrollCommand: 'shoal enroll ...',
    });
  });
});
