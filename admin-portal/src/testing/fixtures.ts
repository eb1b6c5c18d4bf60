import type {
  DashboardStats,
  DownloadRequest,
  LoginResponse,
  NodeSummary,
  Page,
  PreheatJob,
  PreheatTaskStatus,
  ResourceDetail,
  ResourceSummary,
  UserSummary,
} from '@shoal/contract';
import { Session } from '../app/core/auth/auth.service';

export function makeUser(over: Partial<UserSummary> = {}): UserSummary {
  return {
    id: 'u-admin',
    username: 'alice',
    role: 'admin',
    disabled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export function makeLogin(over: Partial<LoginResponse> = {}): LoginResponse {
  return {
    accessToken: 'token-123',
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    user: makeUser(),
    ...over,
  };
}

/** A stored session, as AuthService keeps it in storage. */
export function makeSession(over: Partial<Session> = {}): Session {
  const login = makeLogin();
  return { accessToken: login.accessToken, expiresAt: login.expiresAt, user: login.user, ...over };
}

export function makeResource(over: Partial<ResourceSummary> = {}): ResourceSummary {
  return {
    id: 'r-1',
    contentId: 'c0ffee'.padEnd(64, '0'),
    name: 'ubuntu-24.04.iso',
    description: 'Ubuntu desktop image',
    tags: ['linux'],
    size: 1610612736,
    fileCount: 1,
    seedCount: 2,
    downloaderCount: 3,
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-02T11:30:00.000Z',
    ...over,
  };
}

export function makeDetail(over: Partial<ResourceDetail> = {}): ResourceDetail {
  return {
    ...makeResource(),
    pieceSize: 4 * 1024 * 1024,
    pieceCount: 384,
    files: [{ path: 'ubuntu-24.04.iso', size: 1610612736 }],
    publishedBy: 'alice',
    providers: [
      {
        nodeId: 'n-1',
        name: 'seed-paris',
        role: 'seed',
        site: 'paris',
        addresses: ['10.0.0.1:7070'],
        complete: true,
        online: true,
        lastHeartbeatAt: '2026-11-26T09:00:00.000Z',
      },
      {
        nodeId: 'n-2',
        name: 'seed-lyon',
        role: 'seed',
        site: 'lyon',
        addresses: ['10.0.1.1:7070'],
        complete: true,
        online: false,
        lastHeartbeatAt: null,
      },
    ],
    sharing: [],
    downloaders: [
      {
        nodeId: 'n-9',
        name: 'laptop-bob',
        role: 'client',
        site: null,
        addresses: ['192.168.1.9:7070'],
        complete: false,
      },
    ],
    ...over,
  };
}

export function makeNode(over: Partial<NodeSummary> = {}): NodeSummary {
  return {
    id: 'n-1',
    name: 'seed-paris',
    role: 'seed',
    site: 'paris',
    addresses: ['10.0.0.1:7070'],
    online: true,
    revoked: false,
    builtin: false,
    lastHeartbeatAt: '2026-11-26T09:00:00.000Z',
    resourcesHeld: 4,
    uploadedBytes: 5 * 1024 ** 3,
    downloadedBytes: 0,
    createdAt: '2026-11-01T10:00:00.000Z',
    ...over,
  };
}

export function makeStats(over: Partial<DashboardStats> = {}): DashboardStats {
  return {
    resources: 12,
    totalBytes: 3 * 1024 ** 4,
    onlineSeeds: 3,
    onlineNodes: 40,
    activeDownloads: 7,
    traffic: [
      { at: '2026-11-26T09:00:00.000Z', seedBytes: 300, peerBytes: 100 },
      { at: '2026-11-26T09:05:00.000Z', seedBytes: 100, peerBytes: 500 },
    ],
    ...over,
  };
}

export function page<T>(items: T[], over: Partial<Page<T>> = {}): Page<T> {
  return { items, total: items.length, page: 1, size: 25, ...over };
}

/** An in-memory Storage for AuthService. */
export class MemoryStorage implements Storage {
  private data = new Map<string, string>();
  get length(): number {
    return this.data.size;
  }
  clear(): void {
    this.data.clear();
  }
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.data.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

/** Storage already holding a session: the user is signed in. */
export function signedIn(session: Session = makeSession()): MemoryStorage {
  const s = new MemoryStorage();
  s.setItem('shoal.session', JSON.stringify(session));
  return s;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function makeTask(over: Partial<PreheatTaskStatus> = {}): PreheatTaskStatus {
  return {
    nodeId: 'n-1',
    nodeName: 'seed-paris',
    site: 'paris',
    state: 'queued',
    percent: 0,
    error: null,
    updatedAt: '2026-11-26T09:00:00.000Z',
    ...over,
  };
}

export function makeJob(over: Partial<PreheatJob> = {}): PreheatJob {
  return {
    id: 'j-1',
    resourceId: 'r-1',
    resourceName: 'ubuntu-24.04.iso',
    site: null,
    createdBy: 'alice',
    createdAt: '2026-11-26T08:59:00.000Z',
    cancelled: false,
    tasks: [makeTask()],
    ...over,
  };
}

export function makeDownloadRequest(over: Partial<DownloadRequest> = {}): DownloadRequest {
  return {
    id: 'd-1',
    resourceId: 'r-1',
    resourceName: 'ubuntu-24.04.iso',
    nodeId: 'n-1',
    nodeName: 'alice-laptop',
    requestedBy: 'alice',
    state: 'running',
    doneBytes: 512 * 1024,
    totalBytes: 2 * 1024 * 1024,
    error: null,
    createdAt: '2026-11-26T09:00:00.000Z',
    updatedAt: '2026-11-26T09:00:05.000Z',
    ...over,
  };
}
