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

  /** The parts of a multipart body, in the order sent. */
  const parts = (body: unknown) => [...(body as FormData).entries()];

  it('sends one body, the metadata first and then the file, reporting progress then the resource', () => {
    const file = new File(['x'.repeat(1000)], 'big.iso');
    const events: UploadEvent[] = [];
    const description = 'ü'.repeat(4000);
    api
      .upload(file, { name: 'Big ISO', description, tags: ['linux', 'qa'] })
      .subscribe((e) => events.push(e));

    const req = http.expectOne((r) => r.url === '/api/admin/uploads');
    expect(req.request.method).toBe('POST');
    expect(req.request.params.keys()).toEqual([]);
    const [[metaName, meta], [fileName, sent]] = parts(req.request.body);
    expect([metaName, fileName]).toEqual(['metadata', 'file']);
    expect(JSON.parse(meta as string)).toEqual({
      name: 'Big ISO',
      description,
      tags: ['linux', 'qa'],
      filename: 'big.iso',
    });
    expect((sent as File).size).toBe(1000);
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
    expect(JSON.parse(parts(req.request.body)[0][1] as string)).toEqual({ name: 'x' });
    sub.unsubscribe();
    expect(req.cancelled).toBe(true);
  });
});
