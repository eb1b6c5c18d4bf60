import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type {
  EnrollmentTokenResponse,
  EnrollmentTokenState,
  EnrollmentTokenSummary,
  NodeDetail,
  NodeRole,
  NodeSummary,
  Page,
} from '@shoal/contract';
import { TableQuery, tableParams } from '../../shared/table/table-query';

export interface NodeQuery extends TableQuery {
  role: NodeRole | null;
  online: boolean | null;
}

export interface EnrollmentTokenQuery extends TableQuery {
  state: EnrollmentTokenState | null;
}

export interface EnrollmentTokenRequest {
  ttlSeconds?: number;
  /** Machines it enrolls; 1 (the server's default) is a one-time token. */
  maxUses?: number;
  role?: NodeRole;
  site?: string;
}

/** The node registry (admin): GET /api/admin/nodes, revoke, enrollment tokens (create, list, revoke). */
@Injectable({ providedIn: 'root' })
export class NodesService {
  private readonly http = inject(HttpClient);

  list(query: NodeQuery): Observable<Page<NodeSummary>> {
    let params = tableParams(query);
    if (query.role) params = params.set('role', query.role);
    if (query.online !== null) params = params.set('online', String(query.online));
    return this.http.get<Page<NodeSummary>>('/api/admin/nodes', { params });
  }

  get(id: string): Observable<NodeDetail> {
    return this.http.get<NodeDetail>(`/api/admin/nodes/${encodeURIComponent(id)}`);
  }

  revoke(id: string): Observable<NodeSummary> {
    return this.http.post<NodeSummary>(`/api/admin/nodes/${encodeURIComponent(id)}/revoke`, {});
  }

  createEnrollmentToken(body: EnrollmentTokenRequest): Observable<EnrollmentTokenResponse> {
    return this.http.post<EnrollmentTokenResponse>('/api/admin/enrollment-tokens', body);
  }

  listEnrollmentTokens(query: EnrollmentTokenQuery): Observable<Page<EnrollmentTokenSummary>> {
    let params = tableParams({ page: query.page, size: query.size });
    if (query.state) params = params.set('state', query.state);
    return this.http.get<Page<EnrollmentTokenSummary>>('/api/admin/enrollment-tokens', { params });
  }

  revokeEnrollmentToken(id: string): Observable<EnrollmentTokenSummary> {
    return this.http.post<EnrollmentTokenSummary>(
      `/api/admin/enrollment-tokens/${encodeURIComponent(id)}/revoke`,
      {},
    );
  }
}
