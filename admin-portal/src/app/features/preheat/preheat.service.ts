import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { NodeSummary, Page, PreheatCreateRequest, PreheatJob } from '@shoal/contract';

/** Preheat (admin): place a resource on seed servers ahead of demand, follow and cancel jobs. */
@Injectable({ providedIn: 'root' })
export class PreheatService {
  private readonly http = inject(HttpClient);

  /** Jobs, newest first; only those of one resource when `resourceId` is given. */
  list(resourceId?: string | null): Observable<PreheatJob[]> {
    const params = resourceId ? new HttpParams().set('resourceId', resourceId) : undefined;
    return this.http.get<PreheatJob[]>('/api/admin/preheat', { params });
  }

  create(body: PreheatCreateRequest): Observable<PreheatJob> {
    return this.http.post<PreheatJob>('/api/admin/preheat', body);
  }

  cancel(id: string): Observable<PreheatJob> {
    return this.http.post<PreheatJob>(`/api/admin/preheat/${encodeURIComponent(id)}/cancel`, {});
  }

  /** The seed servers a job can target (first 100 by name). */
  seedNodes(): Observable<Page<NodeSummary>> {
    const params = new HttpParams().set('role', 'seed').set('size', 100).set('sort', 'name');
    return this.http.get<Page<NodeSummary>>('/api/admin/nodes', { params });
  }
}

/** A task still has work ahead of it. */
export function isActive(job: PreheatJob): boolean {
  return job.tasks.some((t) => t.state === 'queued' || t.state === 'running');
}
