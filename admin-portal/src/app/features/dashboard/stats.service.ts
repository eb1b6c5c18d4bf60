import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { DashboardStats } from '@shoal/contract';

@Injectable({ providedIn: 'root' })
export class StatsService {
  private readonly http = inject(HttpClient);

  get(): Observable<DashboardStats> {
    return this.http.get<DashboardStats>('/api/admin/stats');
  }
}

export interface SwarmShare {
  seedBytes: number;
  peerBytes: number;
  /** Share of all bytes served that came from other downloaders, 0..1; null with no traffic. */
  peerShare: number | null;
}

/** The number admins care about: how much of the traffic the swarm took off the seed servers. */
export function swarmShare(traffic: DashboardStats['traffic']): SwarmShare {
  let seedBytes = 0;
  let peerBytes = 0;
  for (const b of traffic) {
    seedBytes += b.seedBytes;
    peerBytes += b.peerBytes;
  }
  const total = seedBytes + peerBytes;
  return { seedBytes, peerBytes, peerShare: total > 0 ? peerBytes / total : null };
}
