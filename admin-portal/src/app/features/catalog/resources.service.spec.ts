import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ResourcesService } from './resources.service';
import { makeDetail, makeResource, page } from '../../../testing/fixtures';

describe('ResourcesService', () => {
  let api: ResourcesService;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    api = TestBed.inject(ResourcesService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('asks for a page of resources with search and sort', () => {
    let total = 0;
    api.list({ q: 'ubuntu', page: 2, size: 50, sort: '-size' }).subscribe((p) => (total = p.total));
    const req = http.expectOne((r) => r.url === '/api/resources');
    expect(req.request.params.get('q')).toBe('ubuntu');
    expect(req.request.params.get('page')).toBe('2');
    expect(req.request.params.get('size')).toBe('50');
    expect(req.request.params.get('sort')).toBe('-size');
    req.flush(page([makeResource()], { total: 51 }));
    expect(total).toBe(51);
  });

  it('leaves out an empty search and the default sort', () => {
    api.list({ q: '', page: 1, size: 25, sort: null }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/resources');
    expect(req.request.params.has('q')).toBe(false);
    expect(req.request.params.has('sort')).toBe(false);
    req.flush(page([]));
  });

  it('downloads the manifest as a blob named by the server', async () => {
    let file: { blob: Blob; filename: string } | undefined;
    api.manifest({ id: 'r-1', name: 'ubuntu.iso' }).subscribe((f) => (file = f));
    const req = http.expectOne('/api/resources/r-1/manifest');
    expect(req.request.responseType).toBe('blob');
    req.flush(new Blob(['{"version":1}'], { type: 'application/json' }), {
      headers: { 'Content-Disposition': 'attachment; filename="ubuntu.iso.shoal.json"' },
    });
    expect(file?.filename).toBe('ubuntu.iso.shoal.json');
    expect(file?.blob.size).toBe(13);
  });

  it('names the manifest after the resource when the header is missing', () => {
    let name = '';
    api.manifest({ id: 'r-1', name: 'data' }).subscribe((f) => (name = f.filename));
    http.expectOne('/api/resources/r-1/manifest').flush(new Blob(['{}']));
    expect(name).toBe('data.shoal.json');
  });

  it('edits and deletes through the admin endpoints', () => {
    api.update('r-1', { name: 'new', tags: ['a'] }).subscribe();
    const patch = http.expectOne('/api/admin/resources/r-1');
    expect(patch.request.method).toBe('PATCH');
    expect(patch.request.body).toEqual({ name: 'new', tags: ['a'] });
    patch.flush(makeDetail({ name: 'new' }));

    api.remove('r-1').subscribe();
    const del = http.expectOne('/api/admin/resources/r-1');
    expect(del.request.method).toBe('DELETE');
    del.flush(null, { status: 204, statusText: 'No Content' });
  });
});
