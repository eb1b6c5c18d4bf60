import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { AuditService, apiFilter, auditActionLabel } from './audit.service';
import { page } from '../../../testing/fixtures';

const NONE = { actor: null, action: null, target: null, from: null, to: null };

describe('AuditService', () => {
  function setup() {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    return { http: TestBed.inject(HttpTestingController), audit: TestBed.inject(AuditService) };
  }

  it('asks for one page of the log with the filters that are set', () => {
    const { http, audit } = setup();
    audit.list(3, 50, { ...NONE, actor: 'ivy', action: 'auth.login' }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/admin/audit');
    expect(req.request.method).toBe('GET');
    expect(req.request.params.keys().sort()).toEqual(['action', 'actor', 'page', 'size']);
    expect(req.request.params.get('page')).toBe('3');
    expect(req.request.params.get('actor')).toBe('ivy');
    req.flush(page([]));
    http.verify();
  });

  it('exports with the same filters and names the file as the server does', () => {
    const { http, audit } = setup();
    let filename = '';
    audit
      .exportCsv({ ...NONE, target: 'Quarterly dataset' })
      .subscribe((f) => (filename = f.filename));
    const req = http.expectOne((r) => r.url === '/api/admin/audit/export');
    expect(req.request.params.get('target')).toBe('Quarterly dataset');
    expect(req.request.params.has('page')).toBe(false);
    req.flush(new Blob(['at,action\r\n']), {
      headers: {
        'Content-Disposition': 'attachment; filename="shoal-audit-2026-12-04-10-00-00.csv"',
      },
    });
    expect(filename).toBe('shoal-audit-2026-12-04-10-00-00.csv');
    http.verify();
  });

  it('turns the days of the URL into instants: from the start of the first, to the end of the last', () => {
    const filter = apiFilter({ ...NONE, from: '2026-12-01', to: '2026-12-03' });
    expect(filter.from).toBe(new Date(2026, 11, 1).toISOString());
    expect(filter.to).toBe(new Date(2026, 11, 4).toISOString());
    expect(apiFilter({ ...NONE, from: 'last week' }).from).toBeNull();
  });

  it('names known actions from the contract and keeps unknown codes', () => {
    expect(auditActionLabel('node.revoke')).toBe('Revoked a node');
    expect(auditActionLabel('auth.login-failed')).toBe('Failed to sign in');
    expect(auditActionLabel('something.new')).toBe('something.new');
  });
});
