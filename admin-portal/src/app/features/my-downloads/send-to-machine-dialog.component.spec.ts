import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { MatDialog } from '@angular/material/dialog';
import { OverlayContainer } from '@angular/cdk/overlay';
import { ApplicationRef } from '@angular/core';
import type { DownloadRequest, MyNode } from '@shoal/contract';
import { SESSION_STORAGE } from '../../core/auth/auth.service';
import {
  SendToMachineData,
  SendToMachineDialogComponent,
} from './send-to-machine-dialog.component';
import { makeDownloadRequest, makeSession, signedIn, sleep } from '../../../testing/fixtures';

const machine = (over: Partial<MyNode> = {}): MyNode => ({
  id: 'n-1',
  name: 'alice-laptop',
  role: 'client',
  online: true,
  lastHeartbeatAt: '2026-11-26T09:00:00.000Z',
  ...over,
});

describe('SendToMachineDialogComponent', () => {
  let http: HttpTestingController;
  let closed: DownloadRequest | undefined | null;

  async function open(nodes: MyNode[]) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: signedIn(makeSession()) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    closed = null;
    TestBed.inject(MatDialog)
      .open<SendToMachineDialogComponent, SendToMachineData>(SendToMachineDialogComponent, {
        data: {
          resourceId: 'r-1',
          resourceName: 'ubuntu-24.04.iso',
          getCommand: 'shoal get r-1 -o ./ubuntu',
        },
      })
      .afterClosed()
      .subscribe((r) => (closed = r));
    await settle();
    http.expectOne('/api/me/nodes').flush(nodes);
    await settle();
  }

  const overlay = () => TestBed.inject(OverlayContainer).getContainerElement();
  const q = <T extends HTMLElement>(s: string) => overlay().querySelector(s) as T;
  const text = (s: string) => q(s)?.textContent?.replace(/\s+/g, ' ').trim();
  async function settle() {
    TestBed.inject(ApplicationRef).tick();
    await sleep(0);
    TestBed.inject(ApplicationRef).tick();
  }

  afterEach(() => http.verify());

  it('offers your machines with their online state and sends to the one chosen', async () => {
    await open([machine(), machine({ id: 'n-2', name: 'alice-desktop', online: false })]);
    const radios = [...overlay().querySelectorAll<HTMLElement>('mat-radio-button')];
    expect(radios.map((r) => r.textContent!.replace(/\s+/g, ' ').trim())).toEqual([
      'alice-laptop · online',
      'alice-desktop · offline',
    ]);
    // The one online machine is preselected; choosing the offline one says what happens.
    q<HTMLInputElement>('[data-testid=machine-alice-desktop] input').click();
    await settle();
    expect(text('[data-testid=offline-note]')).toContain(
      'starts the download once its agent is back',
    );

    q<HTMLButtonElement>('[data-testid=send]').click();
    const req = http.expectOne({ method: 'POST', url: '/api/me/download-requests' });
    expect(req.request.body).toEqual({ resourceId: 'r-1', nodeId: 'n-2' });
    const sent = makeDownloadRequest({ nodeId: 'n-2', state: 'queued' });
    req.flush(sent);
    await settle();
    expect(closed).toEqual(sent);
  });

  it('shows why the server refused, and stays open', async () => {
    await open([machine()]);
    q<HTMLButtonElement>('[data-testid=send]').click();
    http.expectOne('/api/me/download-requests').flush(
      {
        code: 'already_requested',
        message: 'ubuntu-24.04.iso is already on its way to alice-laptop',
      },
      { status: 409, statusText: 'Conflict' },
    );
    await settle();
    expect(text('[data-testid=send-error]')).toContain('already on its way');
    expect(closed).toBeNull();
  });

  it('guides you to set up a machine when you have none, with the download command as the other way', async () => {
    await open([]);
    http.expectOne('/api/downloads/agent').flush({
      available: true,
      url: '/downloads/shoal',
      checksumUrl: '/downloads/shoal.sha256',
      sha256: null,
      sizeBytes: 50_000_000,
    });
    await settle();
    expect(q('[data-testid=no-machines]')).not.toBeNull();
    expect(q('a[href="/downloads/shoal"]')).not.toBeNull();
    expect(text('[data-testid=install-command]')).toContain('/downloads/shoal');
    expect(text('[data-testid=login-command]')).toMatch(/shoal login --server \S* --user alice/);
    expect(text('[data-testid=enroll-command]')).toContain('--download-dir');
    expect(text('[data-testid=dialog-get-command]')).toContain('shoal get r-1 -o ./ubuntu');
    expect(q('[data-testid=send]')).toBeNull();
  });
});
