import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { EnrollmentTokenResponse, NodeRole, NodeSummary, Page } from '@shoal/contract';

export interface NodeQuery {
  q: string;
  role: NodeRole | null;
  online: boolean | null;
  page: number;
  size: number;
  sort: string | null;
}

export interface EnrollmentTokenRequest {
  ttlSeconds?: number;
  role?: NodeRole;
  site?: string;
}

/** The node registry (admin): GET /api/admin/nodes, revoke, enrollment tokens. */
@Injectable({ providedIn: 'root' })
export class NodesService {
  private readonly http = inject(HttpClient);

  list(query: NodeQuery): Observable<Page<NodeSummary>> {
    let params = new HttpParams().set('page', query.page).set('size', query.size);
    if (query.q) params = params.set('q', query.q);
    if (query.role) params = params.set('role', query.role);
    if (query.online !== null) params = params.set('online', String(query.online));
    if (query.sort) params = params.set('sort', query.sort);
    return this.http.get<Page<NodeSummary>>('/api/admin/nodes', { params });
  }

  revoke(id: string): Observable<NodeSummary> {
    return this.http.post<NodeSummary>(`/api/admin/nodes/${encodeURIComponent(id)}/revoke`, {});
  }

  createEnrollmentToken(body: EnrollmentTokenRequest): Observable<EnrollmentTokenResponse> {
    return this.http.post<EnrollmentTokenResponse>('/api/admin/enrollment-tokens', body);
  }
}
