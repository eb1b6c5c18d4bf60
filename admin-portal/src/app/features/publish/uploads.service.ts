import { HttpClient, HttpEventType, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable, filter, map } from 'rxjs';
import type { ResourceDetail } from '@shoal/contract';

export type UploadEvent =
  { kind: 'progress'; loaded: number; total: number } | { kind: 'done'; resource: ResourceDetail };

/**
 * Publish through the server's built-in seed: the raw file is the request body
 * (streamed by the browser from disk), the server hashes and publishes it.
 * Unsubscribing aborts the upload.
 */
@Injectable({ providedIn: 'root' })
export class UploadsService {
  private readonly http = inject(HttpClient);

  upload(file: Blob, meta: { name: string; description?: string }): Observable<UploadEvent> {
    let params = new HttpParams().set('name', meta.name);
    if (meta.description) params = params.set('description', meta.description);
    // Keep the original file name inside the resource, whatever the display name.
    if (file instanceof File && isPlainFileName(file.name))
      params = params.set('filename', file.name);
    return this.http
      .post<ResourceDetail>('/api/admin/uploads', file, {
        params,
        headers: { 'Content-Type': 'application/octet-stream' },
        observe: 'events',
        reportProgress: true,
      })
      .pipe(
        filter((e) => e.type === HttpEventType.UploadProgress || e.type === HttpEventType.Response),
        map((e): UploadEvent => {
          if (e.type === HttpEventType.UploadProgress) {
            return { kind: 'progress', loaded: e.loaded, total: e.total ?? file.size };
          }
          if (e.type === HttpEventType.Response && e.body)
            return { kind: 'done', resource: e.body };
          throw new Error('The server accepted the upload but returned no resource.');
        }),
      );
  }
}

/** What the server accepts as a file name inside the resource. */
function isPlainFileName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^(?!\.{1,2}$)[^/\\\u0000-\u001f:]{1,255}$/.test(name);
}
