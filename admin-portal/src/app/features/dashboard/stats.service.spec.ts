import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { StatsService, swarmShare } from './stats.service';
import { makeStats } from '../../../testing/fixtures';

describe('swarmShare', () => {
  it('is the part of all bytes served that came from other downloaders', () => {
    expect(
      swarmShare([
        { at: 'a', seedBytes: 300, peerBytes: 100 },
        { at: 'b', seedBytes: 100, peerBytes: 500 },
      ]),
    ).toEqual({ seedBytes: 400, peerBytes: 600, peerShare: 0.6 });
  });

  it('is unknown without traffic, not zero', () => {
    expect(swarmShare([]).peerShare).toBeNull();
  });
});

describe('StatsService', () => {
  it('reads GET /api/admin/stats', () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    const http = TestBed.inject(HttpTestingController);
    let resources = 0;
    TestBed.inject(StatsService)
      .get()
      .subscribe((s) => (resources = s.resources));
    http.expectOne('/api/admin/stats').flush(makeStats({ resources: 12 }));
    expect(resources).toBe(12);
    http.verify();
  });
});
