import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { AuditEntry, Page } from '@shoal/contract';
import { tableParams } from '../../shared/table/table-query';

/** The audit log (admin): GET /api/admin/audit, newest first. */
@Injectable({ providedIn: 'root' })
export class AuditService {
  private readonly http = inject(HttpClient);

  list(page: number, size: number): Observable<Page<AuditEntry>> {
    return this.http.get<Page<AuditEntry>>('/api/admin/audit', {
      params: tableParams({ page, size }),
    });
  }
}

const ACTIONS: Record<string, string> = {
  'manifest.download': 'Downloaded a manifest',
  'resource.publish': 'Published a resource',
  'resource.upload': 'Uploaded a resource',
  'resource.update': 'Edited a resource',
  'resource.delete': 'Deleted a resource',
  'user.create': 'Created a user',
  'user.update': 'Changed a user',
  'user.password-reset': 'Reset a password',
  'enrollment-token.create': 'Created an enrollment token',
  'enrollment-token.revoke': 'Revoked an enrollment token',
  'enrollment-token.use': 'A machine enrolled with an enrollment token',
  'node.revoke': 'Revoked a node',
  'preheat.create': 'Started a preheat',
  'preheat.cancel': 'Cancelled a preheat',
  'download_request.create': 'Sent a resource to a machine',
  'download_request.cancel': 'Cancelled a download sent to a machine',
};

/** What an action code means, in words (unknown codes are shown as they are). */
export function auditActionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}
