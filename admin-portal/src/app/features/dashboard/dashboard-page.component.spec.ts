import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideCharts, withDefaultRegisterables } from 'ng2-charts';
import { DashboardPageComponent } from './dashboard-page.component';
import { makeStats } from '../../../testing/fixtures';

describe('DashboardPageComponent', () => {
  let fixture: ComponentFixture<DashboardPageComponent>;
  let http: HttpTestingController;

  beforeEach(() => {
    // jsdom has no canvas; Chart.js only needs a context-shaped object to construct.
    jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    jest.spyOn(console, 'error').mockImplementation(() => {});
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideCharts(withDefaultRegisterables()),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(DashboardPageComponent);
    fixture.detectChanges();
  });

  afterEach(() => {
    fixture.destroy();
    http.verify();
  });

  const text = (s: string) =>
    (fixture.nativeElement as HTMLElement).querySelector(s)?.textContent?.trim();

  it('shows the totals and the share of traffic the swarm took off the seed servers', async () => {
    http.expectOne('/api/admin/stats').flush(makeStats());
    await fixture.whenStable();
    expect(text('[data-testid=total-resources]')).toBe('12');
    expect(text('[data-testid=total-bytes]')).toBe('3 TiB');
    expect(text('[data-testid=online-seeds]')).toBe('3');
    expect(text('[data-testid=active-downloads]')).toBe('7');
    expect(text('[data-testid=swarm-share]')).toBe('60%');
    expect((fixture.nativeElement as HTMLElement).querySelector('canvas')).not.toBeNull();
  });

  it('says there is no traffic yet instead of drawing an empty chart', async () => {
    http.expectOne('/api/admin/stats').flush(makeStats({ traffic: [] }));
    await fixture.whenStable();
    expect(text('[data-testid=swarm-share]')).toBe('—');
    expect(text('[data-testid=no-traffic]')).toContain('No traffic recorded yet');
    expect((fixture.nativeElement as HTMLElement).querySelector('canvas')).toBeNull();
  });

  it("shows the server's message when stats cannot be read", async () => {
    http
      .expectOne('/api/admin/stats')
      .flush(
        { statusCode: 500, code: 'internal', message: 'Stats unavailable' },
        { status: 500, statusText: 'Error' },
      );
    await fixture.whenStable();
    expect(text('[data-testid=error-state]')).toContain('Stats unavailable');
  });

  it('labels the time axis and the tooltips in 24-hour time, like every page, and counts nodes in words', async () => {
    const at = new Date(2026, 11, 3, 15, 5).toISOString();
    http
      .expectOne('/api/admin/stats')
      .flush(makeStats({ onlineNodes: 1, traffic: [{ at, seedBytes: 10, peerBytes: 5 }] }));
    await fixture.whenStable();
    const options = (
      fixture.componentInstance as unknown as {
        chartOptions: () => {
          scales: { x: { ticks: { callback: (this: unknown, v: number) => string } } };
          plugins: { tooltip: { callbacks: { title: (items: { label: string }[]) => string } } };
        };
      }
    ).chartOptions();
    const scale = { getLabelForValue: () => at };
    expect(options.scales.x.ticks.callback.call(scale, 0)).toBe('15:05');
    expect(options.plugins.tooltip.callbacks.title([{ label: at }])).toBe('3 Dec 2026, 15:05');
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('1 node online in all');
  });
});
