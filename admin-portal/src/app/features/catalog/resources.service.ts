import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable, map } from 'rxjs';
import type { Page, ResourceDetail, ResourceSummary } from '@shoal/contract';
import { filenameFromDisposition } from '../../shared/save-file';

export interface ResourceQuery {
  q: string;
  /** 1-based, like the API. */
  page: number;
  size: number;
  /** `name`, `-size`, ...; null for the server's default order. */
  sort: string | null;
}

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

  list(query: ResourceQuery): Observable<Page<ResourceSummary>> {
    let params = new HttpParams().set('page', query.page).set('size', query.size);
    if (query.q) params = params.set('q', query.q);
    if (query.sort) params = params.set('sort', query.sort);
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
            `${resource.name}.shoal.json`,
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
