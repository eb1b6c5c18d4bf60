/** How a swarm shares its peer slots. */
export interface SlotPolicy {
  maxPeers: number;
  /** Peers one owner may hold at once. */
  perOwner: number;
  /** A peer that asked for nothing and sent nothing for this long gives its slot to a newcomer. */
  idleEvictMs: number;
}

export const IDLE_EVICT_MS = 30_000;

/**
 * An eighth of the slots, at least two: a person's laptop and desktop are served side by side,
 * but one member's many self-enrolled machines cannot fill a seed (issue: 32 idle clients of one
 * member locked everyone else out).
 */
export function defaultPerOwner(maxPeers: number): number {
  return Math.max(2, Math.ceil(maxPeers / 8));
}

export interface SlotHolder {
  nodeId: string;
  owner: string;
  /** Milliseconds since it last asked for a block or sent one. */
  idleMs: number;
}

export type SlotDecision = { admit: true; evict: string | null } | { admit: false; reason: string };

/**
 * Whether a newcomer gets a slot, and whose slot it takes. Slots are kept for newcomers by
 * taking them back when contested rather than by holding some empty: when the swarm is full,
 * the owner holding the most slots gives one up to a newcomer of an owner holding fewer, or a
 * peer idle for long gives up its own.
 */
export function decideSlot(newcomerOwner: string, holders: readonly SlotHolder[], policy: SlotPolicy): SlotDecision {
  const byOwner = new Map<string, SlotHolder[]>();
  for (const h of holders) byOwner.set(h.owner, [...(byOwner.get(h.owner) ?? []), h]);
  const own = byOwner.get(newcomerOwner) ?? [];
  const idle = (list: readonly SlotHolder[]) => list.filter((h) => h.idleMs >= policy.idleEvictMs);
  if (own.length >= policy.perOwner) {
    const spare = idlest(idle(own));
    return spare
      ? { admit: true, evict: spare.nodeId }
      : { admit: false, reason: `too many peers of one owner (${own.length} of ${policy.perOwner})` };
  }
  if (holders.length < policy.maxPeers) return { admit: true, evict: null };
  const largest = [...byOwner.values()].reduce((a, b) => (b.length > a.length ? b : a), [] as SlotHolder[]);
  if (largest.length > own.length + 1) return { admit: true, evict: idlest(largest)!.nodeId };
  const spare = idlest(idle(holders));
  return spare ? { admit: true, evict: spare.nodeId } : { admit: false, reason: 'too many peers' };
}

function idlest(list: readonly SlotHolder[]): SlotHolder | null {
  return list.reduce<SlotHolder | null>((a, b) => (a === null || b.idleMs > a.idleMs ? b : a), null);
}
