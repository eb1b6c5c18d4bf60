import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { MyDownloadsService, isOpen, percentDone } from './my-downloads.service';
import { makeDownloadRequest, page } from '../../../testing/fixtures';

describe('MyDownloadsService', () => {
  let http: HttpTestingController;
  let api: MyDownloadsService;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    api = TestBed.inject(MyDownloadsService);
  });

  afterEach(() => http.verify());

  it('lists your machines, sends, pages and cancels', () => {
    api.nodes().subscribe();
    http.expectOne({ method: 'GET', url: '/api/me/nodes' }).flush([]);

    api.send({ resourceId: 'r-1', nodeId: 'n-1' }).subscribe();
    const sent = http.expectOne({ method: 'POST', url: '/api/me/download-requests' });
    expect(sent.request.body).toEqual({ resourceId: 'r-1', nodeId: 'n-1' });
    sent.flush(makeDownloadRequest());

    api.list(2, 25).subscribe();
    const list = http.expectOne((r) => r.url === '/api/me/download-requests');
    expect([list.request.params.get('page'), list.request.params.get('size')]).toEqual(['2', '25']);
    list.flush(page([]));

    api.cancel('d/1').subscribe();
    http
      .expectOne({ method: 'DELETE', url: '/api/me/download-requests/d%2F1' })
      .flush(makeDownloadRequest());
  });

  it('tells open requests from finished ones, and the percent from the bytes', () => {
    expect(
      ['queued', 'running', 'done', 'failed', 'cancelled'].map((s) => isOpen(s as never)),
    ).toEqual([true, true, false, false, false]);
    expect(percentDone(makeDownloadRequest({ doneBytes: 1, totalBytes: 3 }))).toBe(33);
    expect(percentDone(makeDownloadRequest({ state: 'done', doneBytes: 0 }))).toBe(100);
    expect(percentDone(makeDownloadRequest({ doneBytes: 5, totalBytes: 0 }))).toBe(0);
  });
});
