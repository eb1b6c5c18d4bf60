import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { ApiTokenCreateRequest, ApiTokenCreated, ApiTokenSummary } from '@shoal/contract';

/** The signed-in user's own API tokens: GET, POST and DELETE /api/me/tokens. */
@Injectable({ providedIn: 'root' })
export class TokensService {
  private readonly http = inject(HttpClient);

  list(): Observable<ApiTokenSummary[]> {
    return this.http.get<ApiTokenSummary[]>('/api/me/tokens');
  }

  create(body: ApiTokenCreateRequest): Observable<ApiTokenCreated> {
    return this.http.post<ApiTokenCreated>('/api/me/tokens', body);
  }

  revoke(id: string): Observable<void> {
    return this.http.delete<void>(`/api/me/tokens/${encodeURIComponent(id)}`);
  }
}
