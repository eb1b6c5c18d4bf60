import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { AuditService, auditActionLabel } from './audit.service';
import { page } from '../../../testing/fixtures';

describe('AuditService', () => {
  it('asks for one page of the log', () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    const http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuditService).list(3, 50).subscribe();
    const req = http.expectOne((r) => r.url === '/api/admin/audit');
    expect(req.request.method).toBe('GET');
    expect(req.request.params.get('page')).toBe('3');
    expect(req.request.params.get('size')).toBe('50');
    req.flush(page([]));
    http.verify();
  });

  it('names known actions and keeps unknown codes', () => {
    expect(auditActionLabel('node.revoke')).toBe('Revoked a node');
    expect(auditActionLabel('something.new')).toBe('something.new');
  });
});
