import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable, map } from 'rxjs';
import type { Page, ResourceDetail, ResourceSummary } from '@shoal/contract';
import { MANIFEST_FILE_SUFFIX } from '@shoal/contract/api';
import { filenameFromDisposition } from '../../shared/save-file';
import { TableQuery, tableParams } from '../../shared/table/table-query';

export interface ResourcePatch {
  name?: string;
  description?: string;
  tags?: string[];
}

export interface DownloadedFile {
  blob: Blob;
  filename: string;
}

/** The catalog API: GET /api/resources..., and the admin edits of a resource. */
@Injectable({ providedIn: 'root' })
export class ResourcesService {
  private readonly http = inject(HttpClient);

  /** A page of the catalog; `tag` keeps only the resources with that tag. */
  list(query: TableQuery & { tag?: string }): Observable<Page<ResourceSummary>> {
    let params = tableParams(query);
    if (query.tag) params = params.set('tag', query.tag);
    return this.http.get<Page<ResourceSummary>>('/api/resources', { params });
  }

  get(id: string): Observable<ResourceDetail> {
    return this.http.get<ResourceDetail>(`/api/resources/${encodeURIComponent(id)}`);
  }

  /** The manifest as a file (fetched with the bearer token, so not a plain link). */
  manifest(resource: Pick<ResourceSummary, 'id' | 'name'>): Observable<DownloadedFile> {
    return this.http
      .get(`/api/resources/${encodeURIComponent(resource.id)}/manifest`, {
        observe: 'response',
        responseType: 'blob',
      })
      .pipe(
        map((res) => ({
          blob: res.body ?? new Blob([]),
          filename:
            filenameFromDisposition(res.headers.get('Content-Disposition')) ??
            `${resource.name}${MANIFEST_FILE_SUFFIX}`,
        })),
      );
  }

  update(id: string, patch: ResourcePatch): Observable<ResourceDetail> {
    return this.http.patch<ResourceDetail>(`/api/admin/resources/${encodeURIComponent(id)}`, patch);
  }

  remove(id: string): Observable<void> {
    return this.http.delete<void>(`/api/admin/resources/${encodeURIComponent(id)}`);
  }
}
