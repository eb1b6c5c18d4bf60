import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { OverlayContainer } from '@angular/cdk/overlay';
import { ResourceDetailComponent } from './resource-detail.component';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import * as saveFile from '../../shared/save-file';
import {
  makeDetail,
  makeJob,
  makeNode,
  makeSession,
  makeTask,
  makeUser,
  signedIn,
  sleep,
} from '../../../testing/fixtures';

@Component({ template: 'list', changeDetection: ChangeDetectionStrategy.OnPush })
class ListStub {}

describe('ResourceDetailComponent', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  async function open(role: 'admin' | 'member' = 'member', id = 'r-1') {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [
            { path: 'resources', component: ListStub },
            { path: 'resources/:id', component: ResourceDetailComponent },
          ],
          withComponentInputBinding(),
        ),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession({ user: makeUser({ role }) })) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(`/resources/${id}`, ResourceDetailComponent);
    harness.detectChanges();
  }

  const el = () => harness.routeNativeElement!;
  const text = (s: string) => el().querySelector(s)?.textContent?.trim() ?? '';
  async function settle() {
    harness.detectChanges();
    await harness.fixture.whenStable();
    harness.detectChanges();
  }

  const jobs = () =>
    http.expectOne(
      (r) =>
        r.url === '/api/admin/preheat' &&
        r.method === 'GET' &&
        r.params.get('resourceId') === 'r-1',
    );

  const agentDownload = () => http.match('/api/downloads/agent');

  afterEach(() => {
    // The install hint asks once per page; tests about other parts leave it unanswered.
    for (const req of agentDownload()) {
      if (!req.cancelled)
        req.flush({ available: false, url: '', checksumUrl: '', sha256: null, sizeBytes: null });
    }
    http.verify();
  });

  it('shows what the resource is and who serves it', async () => {
    await open();
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();

    expect(text('[data-testid=resource-name]')).toBe('ubuntu-24.04.iso');
    expect(document.title).toBe('ubuntu-24.04.iso · Shoal');
    expect(text('[data-testid=description]')).toBe('Ubuntu desktop image');
    expect(text('[data-testid=piece-count]')).toBe('384');
    expect(text('[data-testid=content-id]')).toBe(makeDetail().contentId);
    expect(el().textContent).toContain('4 MiB');
    expect(text('[data-testid=files-table]')).toContain('ubuntu-24.04.iso');

    const providers = [
      ...el().querySelectorAll('[data-testid=providers-table] tr.mat-mdc-row'),
    ].map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
    expect(providers[0]).toContain('seed-paris');
    expect(providers[0]).toContain('10.0.0.1:7070');
    expect(providers[0]).toContain('Online');
    expect(providers[1]).toContain('seed-lyon');
    expect(providers[1]).toContain('Offline');
    expect(el().textContent).toContain('Seed servers (1 online of 2)');
    expect(text('[data-testid=downloaders-table]')).toContain('laptop-bob');
  });

  it('lists downloaders that share it on apart from the seed servers', async () => {
    await open();
    const laptop = {
      nodeId: 'n-7',
      name: 'laptop-ann',
      role: 'client' as const,
      addresses: [],
      complete: true,
    };
    http.expectOne('/api/resources/r-1').flush(
      makeDetail({
        sharing: [
          { ...laptop, site: 'paris' },
          { ...laptop, nodeId: 'n-8', name: 'laptop-joe', site: null },
        ],
      }),
    );
    await settle();

    expect(text('[data-testid=sharing]')).toBe(
      'Also shared by 2 downloaders that have all of it: laptop-ann (paris), laptop-joe',
    );
    expect(text('[data-testid=providers-table]')).not.toContain('laptop');
  });

  it('names the publisher, but never shows a bare user id', async () => {
    await open();
    http.expectOne('/api/resources/r-1').flush(makeDetail({ publishedBy: 'alice' }));
    await settle();
    expect(el().textContent).toContain('by alice');

    TestBed.resetTestingModule();
    await open();
    http
      .expectOne('/api/resources/r-1')
      .flush(makeDetail({ publishedBy: '3acad4a5-32da-431c-aa95-47984fa7158c' }));
    await settle();
    expect(el().textContent).not.toContain('3acad4a5');
  });

  it('gives the exact command to download it', async () => {
    await open();
    http.expectOne('/api/resources/r-1').flush(makeDetail({ id: 'r-1', name: 'ubuntu-24.04.iso' }));
    await settle();
    expect(text('[data-testid=get-command]')).toBe('shoal get r-1 -o ./ubuntu-24.04.iso');
  });

  it('tells a machine without the agent how to get it from this server, then log in', async () => {
    await open();
    http.expectOne('/api/resources/r-1').flush(makeDetail({ id: 'r-1', name: 'ubuntu-24.04.iso' }));
    await settle();
    const [req] = agentDownload();
    req!.flush({
      available: true,
      url: '/downloads/shoal',
      checksumUrl: '/downloads/shoal.sha256',
      sha256: 'ab'.repeat(32),
      sizeBytes: 130_000_000,
    });
    await settle();
    const origin = location.origin;
    expect(el().querySelector('[data-testid=agent-install] a')?.getAttribute('href')).toBe(
      '/downloads/shoal',
    );
    expect(text('[data-testid=install-command]')).toBe(
      `curl -fsSLO ${origin}/downloads/shoal && curl -fsSLO ${origin}/downloads/shoal.sha256 && ` +
        'sha256sum -c shoal.sha256 && chmod +x shoal && sudo install shoal /usr/local/bin/',
    );
    expect(text('[data-testid=login-command]')).toMatch(
      new RegExp(`^shoal login --server ${origin}`),
    );
  });

  it('says so when the server has no agent to hand out', async () => {
    await open();
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    agentDownload()[0]!.flush({
      available: false,
      url: '/downloads/shoal',
      checksumUrl: '',
      sha256: null,
      sizeBytes: null,
    });
    await settle();
    expect(text('[data-testid=agent-missing]')).toContain('no agent executable to hand out');
    expect(el().querySelector('[data-testid=install-command]')).toBeNull();
  });

  it('downloads the manifest as a file', async () => {
    const save = jest.spyOn(saveFile, 'saveBlob').mockImplementation(() => {});
    await open();
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();

    (el().querySelector('[data-testid=download-manifest]') as HTMLButtonElement).click();
    const req = http.expectOne('/api/resources/r-1/manifest');
    req.flush(new Blob(['{"version":1}']), {
      headers: { 'Content-Disposition': 'attachment; filename="ubuntu-24.04.iso.shoal.json"' },
    });
    expect(save).toHaveBeenCalledWith(expect.any(Blob), 'ubuntu-24.04.iso.shoal.json');
  });

  it('says so when nobody serves or downloads it', async () => {
    await open();
    http.expectOne('/api/resources/r-1').flush(makeDetail({ providers: [], downloaders: [] }));
    await settle();
    expect(text('[data-testid=no-providers]')).toContain('No seed server');
    expect(el().querySelector('[data-testid=sharing]')).toBeNull();
    expect(text('[data-testid=no-downloaders]')).toContain('Nobody is downloading');
  });

  it('says a missing resource does not exist, with the way back and no retry', async () => {
    await open('member', 'gone');
    http
      .expectOne('/api/resources/gone')
      .flush(
        { statusCode: 404, code: 'not_found', message: 'Resource not found' },
        { status: 404, statusText: 'Not Found' },
      );
    await settle();
    expect(text('[data-testid=not-found-state]')).toContain('This resource does not exist');
    expect(el().querySelector('[data-testid=error-state]')).toBeNull();
    const buttons = [...el().querySelectorAll('[data-testid=not-found-state] a, button')];
    expect(buttons.map((b) => b.textContent?.trim())).toEqual(['Back to all resources']);
  });

  it('offers a retry when the load failed for another reason', async () => {
    await open('member', 'r-1');
    http
      .expectOne('/api/resources/r-1')
      .flush(
        { statusCode: 503, code: 'unavailable', message: 'Database down' },
        { status: 503, statusText: 'Service Unavailable' },
      );
    await settle();
    expect(text('[data-testid=error-state]')).toContain('Database down');
    expect(text('[data-testid=error-state] button')).toContain('Try again');
  });

  it('hides edit and delete from members', async () => {
    await open('member');
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    expect(el().querySelector('[data-testid=edit]')).toBeNull();
    expect(el().querySelector('[data-testid=delete]')).toBeNull();
  });

  it('lets an admin delete after confirming, then goes back to the list', async () => {
    await open('admin');
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    jobs().flush([]);
    await settle();

    (el().querySelector('[data-testid=delete]') as HTMLButtonElement).click();
    await settle();
    const overlay = TestBed.inject(OverlayContainer).getContainerElement();
    expect(overlay.textContent).toContain('Delete resource?');
    (overlay.querySelector('[data-testid=confirm]') as HTMLButtonElement).click();
    await settle();
    await sleep(0);

    const req = http.expectOne('/api/admin/resources/r-1');
    expect(req.request.method).toBe('DELETE');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(TestBed.inject(Router).url).toBe('/resources');
  });

  it('deletes nothing when the admin cancels', async () => {
    await open('admin');
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    jobs().flush([]);
    await settle();
    (el().querySelector('[data-testid=delete]') as HTMLButtonElement).click();
    await settle();
    const overlay = TestBed.inject(OverlayContainer).getContainerElement();
    const cancel = [...overlay.querySelectorAll('button')].find((b) =>
      b.textContent?.includes('Cancel'),
    )!;
    cancel.click();
    await settle();
    await sleep(0);
    http.expectNone('/api/admin/resources/r-1');
  });

  it('lets an admin edit name, description and tags', async () => {
    await open('admin');
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    jobs().flush([]);
    await settle();
    (el().querySelector('[data-testid=edit]') as HTMLButtonElement).click();
    await settle();
    const overlay = TestBed.inject(OverlayContainer).getContainerElement();
    const name = overlay.querySelector('input[formcontrolname=name]') as HTMLInputElement;
    const tags = overlay.querySelector('input[formcontrolname=tags]') as HTMLInputElement;
    name.value = 'Ubuntu 24.04';
    name.dispatchEvent(new Event('input'));
    tags.value = 'linux, iso, linux, ';
    tags.dispatchEvent(new Event('input'));
    (overlay.querySelector('button[type=submit]') as HTMLButtonElement).click();

    const req = http.expectOne('/api/admin/resources/r-1');
    expect(req.request.method).toBe('PATCH');
    expect(req.request.body).toEqual({
      name: 'Ubuntu 24.04',
      description: 'Ubuntu desktop image',
      tags: ['linux', 'iso'],
    });
    req.flush(makeDetail({ name: 'Ubuntu 24.04' }));
    await settle();
    await sleep(0);
    await settle();
    expect(text('[data-testid=resource-name]')).toBe('Ubuntu 24.04');
  });

  it('hides preheat from members', async () => {
    await open('member');
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    expect(el().querySelector('[data-testid=preheat]')).toBeNull();
    expect(el().querySelector('[data-testid=resource-preheat]')).toBeNull();
    http.expectNone('/api/admin/preheat');
  });

  it("shows an admin the resource's preheat jobs", async () => {
    await open('admin');
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    jobs().flush([
      makeJob({
        tasks: [
          makeTask({ state: 'done', percent: 100 }),
          makeTask({ nodeId: 'n-2', nodeName: 'seed-lyon', state: 'failed', error: 'disk full' }),
        ],
      }),
    ]);
    await settle();
    const section = text('[data-testid=resource-preheat]').replace(/\s+/g, ' ');
    expect(section).toContain('To 2 seed servers');
    expect(section).toContain('seed-paris');
    expect(section).toContain('Done');
    expect(section).toContain('disk full');
  });

  it('lets an admin preheat on chosen seed servers and lists the new job', async () => {
    await open('admin');
    http.expectOne('/api/resources/r-1').flush(makeDetail());
    await settle();
    jobs().flush([]);
    await settle();
    expect(text('[data-testid=no-preheat-jobs]')).toContain('not been preheated');

    (el().querySelector('[data-testid=preheat]') as HTMLButtonElement).click();
    await settle();
    const overlay = TestBed.inject(OverlayContainer).getContainerElement();
    expect(overlay.textContent).toContain('Preheat “ubuntu-24.04.iso”');
    http
      .expectOne((r) => r.url === '/api/admin/nodes' && r.params.get('role') === 'seed')
      .flush({
        items: [
          makeNode({ id: 'n-1', name: 'seed-paris' }),
          makeNode({ id: 'n-2', name: 'seed-lyon' }),
        ],
        total: 2,
        page: 1,
        size: 100,
      });
    await settle();
    const option = [...overlay.querySelectorAll<HTMLElement>('mat-list-option')].find((o) =>
      o.textContent?.includes('seed-lyon'),
    )!;
    option.click();
    await settle();
    (overlay.querySelector('[data-testid=start-preheat]') as HTMLButtonElement).click();
    const create = http.expectOne((r) => r.url === '/api/admin/preheat' && r.method === 'POST');
    expect(create.request.body).toEqual({ resourceId: 'r-1', nodeIds: ['n-2'] });
    create.flush(makeJob({ tasks: [makeTask({ nodeId: 'n-2', nodeName: 'seed-lyon' })] }));
    await settle();
    await sleep(0);
    await settle();
    jobs().flush([makeJob({ tasks: [makeTask({ nodeId: 'n-2', nodeName: 'seed-lyon' })] })]);
    await settle();
    expect(text('[data-testid=resource-preheat]')).toContain('seed-lyon');
    expect(text('[data-testid=resource-preheat]')).toContain('Queued');
  });
});
