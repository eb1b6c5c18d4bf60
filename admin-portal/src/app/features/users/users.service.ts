import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { Page, UserRole, UserSummary } from '@shoal/contract';

export interface UserQuery {
  q: string;
  page: number;
  size: number;
}

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
}

/** User administration: GET/POST /api/admin/users, PATCH role/disabled, password reset. */
@Injectable({ providedIn: 'root' })
export class UsersService {
  private readonly http = inject(HttpClient);

  list(query: UserQuery): Observable<Page<UserSummary>> {
    let params = new HttpParams().set('page', query.page).set('size', query.size);
    if (query.q) params = params.set('q', query.q);
    return this.http.get<Page<UserSummary>>('/api/admin/users', { params });
  }

  create(user: NewUser): Observable<UserSummary> {
    return this.http.post<UserSummary>('/api/admin/users', user);
  }

  update(id: string, patch: { role?: UserRole; disabled?: boolean }): Observable<UserSummary> {
    return this.http.patch<UserSummary>(`/api/admin/users/${encodeURIComponent(id)}`, patch);
  }

  setPassword(id: string, password: string): Observable<void> {
    return this.http.post<void>(`/api/admin/users/${encodeURIComponent(id)}/password`, {
      password,
    });
  }
}
