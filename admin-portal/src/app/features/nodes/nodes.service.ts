import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { EnrollmentTokenResponse, NodeRole, NodeSummary, Page } from '@shoal/contract';
import { TableQuery, tableParams } from '../../shared/table/table-query';

export interface NodeQuery extends TableQuery {
  role: NodeRole | null;
  online: boolean | null;
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
    let params = tableParams(query);
    if (query.role) params = params.set('role', query.role);
    if (query.online !== null) params = params.set('online', String(query.online));
    return this.http.get<Page<NodeSummary>>('/api/admin/nodes', { params });
  }

  revoke(id: string): Observable<NodeSummary> {
    return this.http.post<NodeSummary>(`/api/admin/nodes/${encodeURIComponent(id)}/revoke`, {});
  }

  createEnrollmentToken(body: EnrollmentTokenRequest): Observable<EnrollmentTokenResponse> {
    return this.http.post<EnrollmentTokenResponse>('/api/admin/enrollment-tokens', body);
  }
}
