import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type {
  DownloadRequest,
  DownloadRequestCreate,
  DownloadRequestState,
  MyNode,
  Page,
} from '@shoal/contract';
import { tableParams } from '../../shared/table/table-query';

/** "Send to my machine" for any signed-in user: their machines and the downloads sent to them. */
@Injectable({ providedIn: 'root' })
export class MyDownloadsService {
  private readonly http = inject(HttpClient);

  /** The user's enrolled machines, with their online state. */
  nodes(): Observable<MyNode[]> {
    return this.http.get<MyNode[]>('/api/me/nodes');
  }

  send(body: DownloadRequestCreate): Observable<DownloadRequest> {
    return this.http.post<DownloadRequest>('/api/me/download-requests', body);
  }

  /** Newest first. */
  list(page: number, size: number): Observable<Page<DownloadRequest>> {
    return this.http.get<Page<DownloadRequest>>('/api/me/download-requests', {
      params: tableParams({ page, size }),
    });
  }

  cancel(id: string): Observable<DownloadRequest> {
    return this.http.delete<DownloadRequest>(`/api/me/download-requests/${encodeURIComponent(id)}`);
  }
}

/** Still queued or running: it can be cancelled, and the page keeps refreshing. */
export function isOpen(state: DownloadRequestState): boolean {
  return state === 'queued' || state === 'running';
}

/** 0-100, from the bytes the machine reported. */
export function percentDone(
  r: Pick<DownloadRequest, 'state' | 'doneBytes' | 'totalBytes'>,
): number {
  if (r.state === 'done') return 100;
  if (r.totalBytes <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((100 * r.doneBytes) / r.totalBytes)));
}
