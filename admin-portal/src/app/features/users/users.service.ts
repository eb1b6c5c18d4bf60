import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { Page, UserRole, UserSummary } from '@shoal/contract';
import { TableQuery, tableParams } from '../../shared/table/table-query';

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
}

/** User administration: GET/POST /api/admin/users, PATCH role/disabled, password reset. */
@Injectable({ providedIn: 'root' })
export class UsersService {
  private readonly http = inject(HttpClient);

  list(query: Pick<TableQuery, 'q' | 'page' | 'size'>): Observable<Page<UserSummary>> {
    return this.http.get<Page<UserSummary>>('/api/admin/users', { params: tableParams(query) });
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
