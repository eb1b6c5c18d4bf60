import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { PreheatService, isActive } from './preheat.service';
import { makeJob, makeNode, makeTask, page } from '../../../testing/fixtures';

describe('PreheatService', () => {
  let api: PreheatService;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    api = TestBed.inject(PreheatService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('lists every job, or one resource’s', () => {
    api.list().subscribe();
    const all = http.expectOne((r) => r.url === '/api/admin/preheat');
    expect(all.request.method).toBe('GET');
    expect(all.request.params.keys()).toEqual([]);
    all.flush([makeJob()]);

    api.list('r-9').subscribe();
    const one = http.expectOne((r) => r.url === '/api/admin/preheat');
    expect(one.request.params.get('resourceId')).toBe('r-9');
    one.flush([]);
  });

  it('creates a job on nodes or on a site, and cancels one', () => {
    api.create({ resourceId: 'r-1', nodeIds: ['n-1', 'n-2'] }).subscribe();
    const byNodes = http.expectOne('/api/admin/preheat');
    expect(byNodes.request.method).toBe('POST');
    expect(byNodes.request.body).toEqual({ resourceId: 'r-1', nodeIds: ['n-1', 'n-2'] });
    byNodes.flush(makeJob());

    api.create({ resourceId: 'r-1', site: 'paris' }).subscribe();
    expect(http.expectOne('/api/admin/preheat').request.body).toEqual({
      resourceId: 'r-1',
      site: 'paris',
    });

    api.cancel('j/1').subscribe();
    const cancel = http.expectOne('/api/admin/preheat/j%2F1/cancel');
    expect(cancel.request.method).toBe('POST');
    cancel.flush(makeJob({ cancelled: true }));
  });

  it('asks for seed servers only', () => {
    api.seedNodes().subscribe();
    const req = http.expectOne((r) => r.url === '/api/admin/nodes');
    expect(req.request.params.get('role')).toBe('seed');
    expect(req.request.params.get('size')).toBe('100');
    req.flush(page([makeNode()]));
  });

  it('calls a job active while a task is queued or running', () => {
    expect(isActive(makeJob({ tasks: [makeTask({ state: 'queued' })] }))).toBe(true);
    expect(
      isActive(makeJob({ tasks: [makeTask({ state: 'running' }), makeTask({ state: 'done' })] })),
    ).toBe(true);
    expect(
      isActive(makeJob({ tasks: [makeTask({ state: 'done' }), makeTask({ state: 'failed' })] })),
    ).toBe(false);
    expect(isActive(makeJob({ tasks: [makeTask({ state: 'cancelled' })] }))).toBe(false);
  });
});
