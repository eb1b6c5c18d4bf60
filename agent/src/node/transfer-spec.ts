import { piecesForSpans, type Manifest } from '@shoal/contract';
import picomatch from 'picomatch';
import type { Candidate } from '../swarm/peer-candidates.js';

/** Everything the engine needs to move one resource (a manifest, or what publish computed). */
export interface TransferSpec {
  resourceId: string;
  contentId: string;
  name: string;
  totalSize: number;
  pieceSize: number;
  files: { path: string; size: number }[];
  pieceHashes: string[];
  /**
   * Null to work from known peers only. Any other value means "announce", always to the
   * node's own tracker (AgentNodeOptions.trackerUrl), never to the URL written here.
   */
  trackerUrl: string | null;
  /** Our download ticket; '' when we only provide. */
  ticket: string;
  peers: Candidate[];
}

export function specFromManifest(m: Manifest): TransferSpec {
  return {
    resourceId: m.resourceId,
    contentId: m.contentId,
    name: m.name,
    totalSize: m.totalSize,
    pieceSize: m.pieceSize,
    files: m.files,
    pieceHashes: m.pieceHashes,
    trackerUrl: m.trackerUrl,
    ticket: m.ticket,
    // Seeds first: they hold everything.
    peers: [...m.seeds, ...m.peers].flatMap((p) => p.addresses.map((address) => ({ address, nodeId: p.nodeId }))),
  };
}

/** The files matching any of the globs (all files when none are given) and the pieces they need. */
export function selectFiles(
  spec: Pick<TransferSpec, 'files' | 'pieceSize'>,
  include: readonly string[],
): { files: Set<number>; pieces: Set<number> } {
  const match = include.length > 0 ? picomatch(include as string[], { dot: true }) : () => true;
  const files = new Set<number>();
  let offset = 0;
  const spans = spec.files.map((f, i) => {
    const span = { ...f, offset };
    offset += f.size;
    if (match(f.path)) files.add(i);
    return span;
  });
  return {
    files,
    pieces: piecesForSpans(
      spans.filter((_, i) => files.has(i)),
      spec.pieceSize,
    ),
  };
}
