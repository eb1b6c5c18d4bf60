import { HttpClient, HttpEventType } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable, filter, map } from 'rxjs';
import type { ResourceDetail } from '@shoal/contract';
import { PLAIN_FILE_NAME } from '@shoal/contract/paths';

export type UploadEvent =
  { kind: 'progress'; loaded: number; total: number } | { kind: 'done'; resource: ResourceDetail };

export interface UploadMetadata {
  name: string;
  description?: string;
  tags?: string[];
}

/**
 * Publish through the server's built-in seed: one multipart/form-data body, the metadata
 * (JSON) first so the server checks it before storing anything, then the file (streamed
 * by the browser from disk); the server hashes and publishes it. Nothing travels in the
 * URL, so a long description fits. Unsubscribing aborts the upload.
 */
@Injectable({ providedIn: 'root' })
export class UploadsService {
  private readonly http = inject(HttpClient);

  upload(file: Blob, meta: UploadMetadata): Observable<UploadEvent> {
    const metadata: UploadMetadata & { filename?: string } = { name: meta.name };
    if (meta.description) metadata.description = meta.description;
    if (meta.tags?.length) metadata.tags = meta.tags;
    // Keep the original file name inside the resource, whatever the display name.
    if (file instanceof File && PLAIN_FILE_NAME.test(file.name)) metadata.filename = file.name;
    const body = new FormData();
    body.append('metadata', JSON.stringify(metadata));
    body.append('file', file, metadata.filename ?? 'upload.bin');
    return this.http
      .post<ResourceDetail>('/api/admin/uploads', body, { observe: 'events', reportProgress: true })
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
