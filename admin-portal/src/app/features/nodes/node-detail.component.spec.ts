import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { NodeDetail } from '@shoal/contract';
import { NodeDetailComponent } from './node-detail.component';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import { makeNode, makeSession, makeUser, signedIn } from '../../../testing/fixtures';

function makeNodeDetail(over: Partial<NodeDetail> = {}): NodeDetail {
  return {
    ...makeNode({ id: 'n-7', name: 'laptop-ann', role: 'client', site: null, online: false }),
    uploadedBytes: 3 * 1024 * 1024,
    downloadedBytes: 320 * 1024 * 1024,
    agentVersion: '0.1.0',
    leftAt: '2026-12-04T10:00:00.000Z',
    holdings: [
      {
        resourceId: 'r-1',
        name: 'ubuntu-24.04.iso',
        complete: true,
        piecesHeld: 384,
        pieceCount: 384,
      },
      {
        resourceId: 'r-2',
        name: 'model weights',
        complete: false,
        piecesHeld: 25,
        pieceCount: 100,
      },
    ],
    ...over,
  };
}

describe('NodeDetailComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(id = 'n-7') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [{ path: 'nodes/:id', component: NodeDetailComponent }],
          withComponentInputBinding(),
        ),
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: SESSION_STORAGE,
          useValue: signedIn(makeSession({ user: makeUser({ role: 'admin' }) })),
        },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(`/nodes/${id}`, NodeDetailComponent);
    harness.detectChanges();
  }

  const el = () => harness.routeNativeElement!;
  const text = (s: string) => el().querySelector(s)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
  }

  afterEach(() => http.verify());

  it("shows a stopped downloader's agent, counters and holdings by name", async () => {
    await open();
    http.expectOne('/api/admin/nodes/n-7').flush(makeNodeDetail());
    await settle();

    expect(text('[data-testid=node-name]')).toBe('laptop-ann');
    expect(text('[data-testid=node-status]')).toBe('Offline: stopped');
    expect(text('[data-testid=node-role]')).toBe('downloader');
    expect(text('[data-testid=agent-version]')).toBe('0.1.0');
    expect(text('[data-testid=downloaded]')).toBe('320 MiB');
    expect(text('[data-testid=uploaded]')).toBe('3 MiB');
    const rows = [...el().querySelectorAll('[data-testid=holdings-table] tr.mat-mdc-row')].map(
      (r) => r.textContent!.replace(/\s+/g, ' ').trim(),
    );
    expect(rows).toEqual(['ubuntu-24.04.iso Complete', 'model weights Partial: 25%']);
    const link = el().querySelector<HTMLAnchorElement>('[data-testid=holdings-table] a')!;
    expect(link.getAttribute('href')).toBe('/resources/r-1');
  });

  it('tells an online seed from one whose heartbeats stopped', async () => {
    await open();
    http
      .expectOne('/api/admin/nodes/n-7')
      .flush(makeNodeDetail({ role: 'seed', online: false, leftAt: null, holdings: [] }));
    await settle();
    expect(text('[data-testid=node-status]')).toBe('Offline: no recent heartbeat');
    expect(text('[data-testid=node-role]')).toBe('seed server');
    expect(text('[data-testid=no-holdings]')).toContain('nothing held');
  });

  it('says a node does not exist without offering a retry', async () => {
    await open('missing');
    http
      .expectOne('/api/admin/nodes/missing')
      .flush(
        { statusCode: 400, code: 'bad_request', message: 'Validation failed (uuid is expected)' },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle();
    expect(text('[data-testid=not-found-state]')).toContain('does not exist');
    expect(el().querySelector('[data-testid=error-state]')).toBeNull();
  });
});
