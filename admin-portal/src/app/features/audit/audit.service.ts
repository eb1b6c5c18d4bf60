import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable, map } from 'rxjs';
import { AUDIT_ACTIONS, isAuditAction } from '@shoal/contract/audit';
import type { AuditEntry, Page } from '@shoal/contract';
import { filenameFromDisposition } from '../../shared/save-file';
import { tableParams } from '../../shared/table/table-query';
import type { DownloadedFile } from '../catalog/resources.service';

/** The audit log's filters as the page keeps them in its URL (null: not filtered). */
export type AuditFilters = {
  actor: string | null;
  action: string | null;
  target: string | null;
  from: string | null;
  to: string | null;
};

function filterParams(filters: AuditFilters, params = new HttpParams()): HttpParams {
  for (const [key, value] of Object.entries(filters)) if (value) params = params.set(key, value);
  return params;
}

/** The audit log (admin): GET /api/admin/audit, newest first, filtered; and its CSV export. */
@Injectable({ providedIn: 'root' })
export class AuditService {
  private readonly http = inject(HttpClient);

  list(page: number, size: number, filters: AuditFilters): Observable<Page<AuditEntry>> {
    return this.http.get<Page<AuditEntry>>('/api/admin/audit', {
      params: filterParams(filters, tableParams({ page, size })),
    });
  }

  /** The same filters as CSV, as a file to save. */
  exportCsv(filters: AuditFilters): Observable<DownloadedFile> {
    return this.http
      .get('/api/admin/audit/export', {
        params: filterParams(filters),
        observe: 'response',
        responseType: 'blob',
      })
      .pipe(
        map((res) => ({
          blob: res.body ?? new Blob([]),
          filename:
            filenameFromDisposition(res.headers.get('Content-Disposition')) ?? 'shoal-audit.csv',
        })),
      );
  }
}

/** The action codes the filter offers, with their words, in the contract's order. */
export const AUDIT_ACTION_CHOICES = Object.entries(AUDIT_ACTIONS).map(([code, label]) => ({
  code,
  label,
}));

/** What an action code means, in words (codes this portal does not know are shown as they are). */
export function auditActionLabel(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTIONS[action] : action;
}

/** The API's filters from the URL's: dates (yyyy-mm-dd) become the instants the API takes. */
export function apiFilter(filters: AuditFilters): AuditFilters {
  return { ...filters, from: dayStart(filters.from), to: dayStart(filters.to, 1) };
}

/** The start of a local day (plus `days`), as an ISO instant; null for no date. */
function dayStart(day: string | null, days = 0): string | null {
  const m = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).toISOString();
}
