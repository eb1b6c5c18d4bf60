/** A peer we may dial: where, and who the tracker or manifest said it is. */
export interface Candidate {
  address: string;
  nodeId: string | null;
}

interface Entry extends Candidate {
  failures: number;
  nextAttemptAt: number;
}

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/** Addresses to dial, with back-off for the ones that failed; never ourselves, never twice at once. */
export class PeerCandidates {
  private readonly entries = new Map<string, Entry>();
  private readonly connectedIds = new Set<string>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly ownNodeId: string,
    private readonly ownAddresses: readonly string[],
  ) {}

  add(list: Candidate[]): void {
    for (const c of list) {
      if (c.nodeId === this.ownNodeId || this.ownAddresses.includes(c.address)) continue;
      const e = this.entries.get(c.address);
      if (e) e.nodeId = c.nodeId ?? e.nodeId;
      else this.entries.set(c.address, { ...c, failures: 0, nextAttemptAt: 0 });
    }
  }

  /** Up to `room` candidates to dial now; each is marked in flight until succeeded/failed. */
  due(room: number, banned: ReadonlySet<string>): Candidate[] {
    const now = Date.now();
    const out: Candidate[] = [];
    for (const e of this.entries.values()) {
      if (out.length >= room) break;
      if (this.inFlight.has(e.address) || e.nextAttemptAt > now) continue;
      if (e.nodeId && (this.connectedIds.has(e.nodeId) || banned.has(e.nodeId))) continue;
      this.inFlight.add(e.address);
      out.push({ address: e.address, nodeId: e.nodeId });
    }
    return out;
  }

  succeeded(address: string, nodeId: string): void {
    this.inFlight.delete(address);
    const e = this.entries.get(address);
    if (e) Object.assign(e, { nodeId, failures: 0 });
  }

  failed(address: string): void {
    this.inFlight.delete(address);
    const e = this.entries.get(address);
    if (!e) return;
    e.failures++;
    e.nextAttemptAt = Date.now() + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (e.failures - 1));
  }

  connected(nodeId: string): void {
    this.connectedIds.add(nodeId);
  }

  /** A peer left: it may be dialed again after a short pause (it may just have restarted). */
  disconnected(nodeId: string): void {
    this.connectedIds.delete(nodeId);
    for (const e of this.entries.values()) if (e.nodeId === nodeId) e.nextAttemptAt = Date.now() + RETRY_BASE_MS;
  }
}
