import type { SwarmMember, SwarmStore } from './swarm-store.js';

interface Entry {
  member: SwarmMember;
  expiresAt: number;
}

/** Bounds, so a flood of announces cannot grow memory without limit. */
const MAX_MEMBERS_PER_SWARM = 100_000;
const MAX_SWARMS = 1_000_000;

/** The embedded default: swarm state in this process, lost on restart (agents re-announce). */
export class MemorySwarmStore implements SwarmStore {
  private readonly swarms = new Map<string, Map<string, Entry>>();
  private readonly expiredDownloads = new Set<string>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(sweepIntervalMs = 30_000) {
    this.sweepTimer = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweepTimer.unref();
  }

  close(): void {
    clearInterval(this.sweepTimer);
  }

  async upsert(resourceId: string, member: SwarmMember, ttlSeconds: number): Promise<boolean> {
    let swarm = this.swarms.get(resourceId);
    if (!swarm) {
      if (this.swarms.size >= MAX_SWARMS) this.sweep();
      if (this.swarms.size >= MAX_SWARMS) throw new Error('swarm table full');
      swarm = new Map();
      this.swarms.set(resourceId, swarm);
    }
    if (!swarm.has(member.nodeId) && swarm.size >= MAX_MEMBERS_PER_SWARM) {
      this.sweepSwarm(resourceId, swarm, Date.now());
      if (swarm.size >= MAX_MEMBERS_PER_SWARM) throw new Error('swarm full');
    }
    const now = Date.now();
    const previous = swarm.get(member.nodeId);
    const wasDownloading = !!previous && previous.expiresAt > now && previous.member.left > 0;
    if (previous && sameMember(previous.member, member)) {
      // A steady re-announce keeps the member's object, so what readers derived from it
      // (the tracker's peer entry and its JSON) stays valid.
      previous.expiresAt = now + ttlSeconds * 1000;
    } else {
      swarm.set(member.nodeId, { member, expiresAt: now + ttlSeconds * 1000 });
    }
    return wasDownloading !== member.left > 0;
  }

  async remove(resourceId: string, nodeId: string): Promise<void> {
    const swarm = this.swarms.get(resourceId);
    swarm?.delete(nodeId);
    if (swarm?.size === 0) this.swarms.delete(resourceId);
  }

  async members(resourceId: string, limit: number): Promise<SwarmMember[]> {
    const swarm = this.swarms.get(resourceId);
    if (!swarm) return [];
    const now = Date.now();
    const out: SwarmMember[] = [];
    for (const entry of swarm.values()) {
      if (entry.expiresAt <= now) continue;
      out.push(entry.member);
      if (out.length >= limit) break;
    }
    return out;
  }

  async downloaderCount(resourceId: string): Promise<number> {
    const swarm = this.swarms.get(resourceId);
    if (!swarm) return 0;
    const now = Date.now();
    let count = 0;
    for (const entry of swarm.values()) if (entry.expiresAt > now && entry.member.left > 0) count++;
    return count;
  }

  async removeNode(nodeId: string): Promise<void> {
    for (const [resourceId, swarm] of this.swarms) {
      swarm.delete(nodeId);
      if (swarm.size === 0) this.swarms.delete(resourceId);
    }
  }

  async activeDownloads(): Promise<number> {
    let count = 0;
    for (const resourceId of this.swarms.keys()) count += await this.downloaderCount(resourceId);
    return count;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [resourceId, swarm] of this.swarms) this.sweepSwarm(resourceId, swarm, now);
  }

  async drainExpiredDownloads(): Promise<string[]> {
    this.sweep();
    const ids = [...this.expiredDownloads];
    this.expiredDownloads.clear();
    return ids;
  }

  private sweepSwarm(resourceId: string, swarm: Map<string, Entry>, now: number): void {
    for (const [nodeId, entry] of swarm) {
      if (entry.expiresAt > now) continue;
      swarm.delete(nodeId);
      if (entry.member.left > 0 && this.expiredDownloads.size < MAX_SWARMS) this.expiredDownloads.add(resourceId);
    }
    if (swarm.size === 0) this.swarms.delete(resourceId);
  }
}

function sameMember(a: SwarmMember, b: SwarmMember): boolean {
  if (a.name !== b.name || a.role !== b.role || a.site !== b.site || a.left !== b.left) return false;
  if (a.addresses === b.addresses) return true;
  return a.addresses.length === b.addresses.length && a.addresses.every((x, i) => x === b.addresses[i]);
}
