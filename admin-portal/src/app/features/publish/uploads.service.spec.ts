import { TestBed } from '@angular/core/testing';
import { HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { UploadEvent, UploadsService } from './uploads.service';
import { makeDetail } from '../../../testing/fixtures';

describe('UploadsService', () => {
  let api: UploadsService;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    api = TestBed.inject(UploadsService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('sends the raw file with name and description, reporting progress then the resource', () => {
    const file = new File(['x'.repeat(1000)], 'big.iso');
    const events: UploadEvent[] = [];
    api.upload(file, { name: 'Big ISO', description: 'nightly' }).subscribe((e) => events.push(e));

    const req = http.expectOne((r) => r.url === '/api/admin/uploads');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toBe(file);
    expect(req.request.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(req.request.params.get('name')).toBe('Big ISO');
    expect(req.request.params.get('description')).toBe('nightly');
    expect(req.request.params.get('filename')).toBe('big.iso');
    expect(req.request.reportProgress).toBe(true);

    req.event({ type: HttpEventType.UploadProgress, loaded: 400, total: 1000 });
    req.event({ type: HttpEventType.UploadProgress, loaded: 1000, total: 1000 });
    req.flush(makeDetail({ name: 'Big ISO' }));

    expect(events).toEqual([
      { kind: 'progress', loaded: 400, total: 1000 },
      { kind: 'progress', loaded: 1000, total: 1000 },
      { kind: 'done', resource: expect.objectContaining({ name: 'Big ISO' }) },
    ]);
  });

  it('aborts the request when unsubscribed (cancel)', () => {
    const sub = api.upload(new Blob(['abc']), { name: 'x' }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/admin/uploads');
    expect(req.request.params.has('description')).toBe(false);
    expect(req.request.params.has('filename')).toBe(false);
    sub.unsubscribe();
    expect(req.cancelled).toBe(true);
  });
});
