import { ComponentFixture, TestBed } from '@angular/core/testing';
import { HttpEventType, provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { PublishPageComponent } from './publish-page.component';
import { LIMITS } from '@shoal/contract/limits';
import { makeDetail } from '../../../testing/fixtures';

describe('PublishPageComponent', () => {
  let fixture: ComponentFixture<PublishPageComponent>;
  let http: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(PublishPageComponent);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  const el = () => fixture.nativeElement as HTMLElement;
  const q = <T extends Element>(s: string) => el().querySelector(s) as T | null;

  function chooseFile(file: File) {
    const input = q<HTMLInputElement>('[data-testid=file-input]')!;
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change'));
    fixture.detectChanges();
  }

  function startUpload(): TestRequest {
    q<HTMLButtonElement>('[data-testid=start-upload]')!.click();
    fixture.detectChanges();
    return http.expectOne((r) => r.url === '/api/admin/uploads');
  }

  /** The JSON metadata part of the upload's body. */
  const metadataOf = (req: TestRequest) =>
    JSON.parse((req.request.body as FormData).get('metadata') as string) as Record<string, unknown>;

  function type(testId: string, value: string) {
    const input = q<HTMLInputElement>(`[data-testid=${testId}]`)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    fixture.detectChanges();
  }

  it('refuses a name of spaces only at the form, sending nothing', async () => {
    chooseFile(new File(['x'], 'a.bin'));
    type('name', '   ');
    q<HTMLButtonElement>('[data-testid=start-upload]')!.click();
    await fixture.whenStable();
    http.expectNone('/api/admin/uploads');
    expect(q('[data-testid=name-error]')!.textContent).toContain('must not be only spaces');
  });

  it("limits name and description to the server's lengths (contract/)", () => {
    const name = q<HTMLInputElement>('[data-testid=name]')!;
    const description = q<HTMLTextAreaElement>('[data-testid=description]')!;
    expect(name.maxLength).toBe(LIMITS.maxNameLength);
    expect(description.maxLength).toBe(LIMITS.maxDescriptionLength);
    expect(el().textContent).toContain(`0 / ${LIMITS.maxNameLength}`);
  });

  it('sends the tags typed as chips, and refuses a tag the server would', async () => {
    chooseFile(new File(['x'], 'a.bin'));
    const tags = q<HTMLInputElement>('[data-testid=tags]')!;
    tags.value = 'linux, qa';
    tags.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 13 }));
    fixture.detectChanges();
    expect(
      [...el().querySelectorAll('[data-testid=tag-chip]')].map((c) => c.textContent?.trim()),
    ).toEqual([expect.stringContaining('linux'), expect.stringContaining('qa')]);
    const req = startUpload();
    expect(metadataOf(req)['tags']).toEqual(['linux', 'qa']);
    req.flush(makeDetail());
    await fixture.whenStable();
  });

  it('says a refused field once', async () => {
    chooseFile(new File(['x'], 'a.bin'));
    startUpload().flush(
      {
        statusCode: 400,
        code: 'validation_failed',
        message: 'name must be shorter than or equal to 200 characters',
        errors: { name: 'name must be shorter than or equal to 200 characters' },
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await fixture.whenStable();
    expect(q('[data-testid=upload-error]')!.textContent!.trim()).toBe(
      'name must be shorter than or equal to 200 characters',
    );
  });

  it('names the upload after the file unless the admin typed a name', () => {
    chooseFile(new File(['hello'], 'release-1.2.tar.gz'));
    expect(q<HTMLInputElement>('[data-testid=name]')!.value).toBe('release-1.2.tar.gz');
    expect(q('[data-testid=chosen-file]')!.textContent).toContain('release-1.2.tar.gz');
  });

  it('shows progress, then a link to the published resource', async () => {
    chooseFile(new File(['x'.repeat(200)], 'data.bin'));
    const req = startUpload();
    expect(metadataOf(req)).toEqual({ name: 'data.bin', filename: 'data.bin' });

    req.event({ type: HttpEventType.UploadProgress, loaded: 50, total: 200 });
    await fixture.whenStable();
    expect(el().textContent).toContain('Uploading… 25%');
    expect(q('[data-testid=upload-progress]')!.getAttribute('aria-valuenow')).toBe('25');

    req.event({ type: HttpEventType.UploadProgress, loaded: 200, total: 200 });
    await fixture.whenStable();
    expect(el().textContent).toContain('hashing and publishing');

    req.flush(makeDetail({ id: 'r-9', name: 'data.bin' }));
    await fixture.whenStable();
    const done = q('[data-testid=upload-done]')!;
    expect(done.textContent).toContain('Published data.bin');
    expect(done.querySelector('a')!.getAttribute('href')).toBe('/resources/r-9');

    // The same file is not offered for upload again; the form starts over instead.
    expect(q('[data-testid=start-upload]')).toBeNull();
    q<HTMLButtonElement>('[data-testid=publish-another]')!.click();
    await fixture.whenStable();
    expect(q('[data-testid=chosen-file]')).toBeNull();
    expect(q<HTMLInputElement>('[data-testid=name]')!.value).toBe('');
    expect(q<HTMLButtonElement>('[data-testid=start-upload]')!.disabled).toBe(true);
  });

  it('cancels: the request is aborted and nothing is published', async () => {
    chooseFile(new File(['x'.repeat(200)], 'data.bin'));
    const req = startUpload();
    req.event({ type: HttpEventType.UploadProgress, loaded: 10, total: 200 });
    await fixture.whenStable();

    q<HTMLButtonElement>('[data-testid=cancel-upload]')!.click();
    await fixture.whenStable();
    expect(req.cancelled).toBe(true);
    expect(q('[data-testid=upload-cancelled]')).not.toBeNull();
    expect(q('[data-testid=start-upload]')).not.toBeNull();
  });

  it("shows the server's message when publishing is refused", async () => {
    chooseFile(new File(['x'], 'a.bin'));
    startUpload().flush(
      { statusCode: 503, code: 'unavailable', message: 'The built-in seed is switched off' },
      { status: 503, statusText: 'Service Unavailable' },
    );
    await fixture.whenStable();
    expect(q('[data-testid=upload-error]')!.textContent).toContain(
      'The built-in seed is switched off',
    );
  });

  it('aborts an upload in flight when the page is left', () => {
    chooseFile(new File(['x'], 'a.bin'));
    const req = startUpload();
    fixture.destroy();
    expect(req.cancelled).toBe(true);
  });
});
