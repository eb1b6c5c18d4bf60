import type { DownloadReport, HeartbeatRequest, PreheatReport } from '@shoal/contract';
import { AgentNode, type AgentNodeOptions } from '../node/agent-node.js';
import type { TransferSpec } from '../node/transfer-spec.js';
import type { FileFingerprint } from '../storage/file-fingerprint.js';
import type { Transfer } from './transfer.js';

export type EngineOptions = AgentNodeOptions;

/**
 * The transfer engine as its two hosts use it: the `shoal` CLI and the server's built-in
 * seed. It starts and stops one node, adds and removes what the node downloads or
 * provides, and builds the heartbeat report; transfers come out only as read-only
 * `Transfer` views, so neither host reaches into swarms, stores or trackers. Talking to
 * the server (heartbeat calls, credential renewal) stays with the host: the CLI speaks
 * HTTP, the built-in seed calls its services in process.
 */
export class Engine {
  /** Counters of transfers removed since start, so the heartbeat's counters never go back. */
  private readonly retired = { uploaded: 0, downloaded: 0, uploadedToPeers: 0 };

  private constructor(private readonly node: AgentNode) {}

  /** A listening node (when `listen` is set) with its keys and revocations loaded; nothing left open if that fails. */
  static async start(options: EngineOptions): Promise<Engine> {
    const node = new AgentNode(options);
    try {
      await node.start();
    } catch (err) {
      await node.close().catch(() => undefined);
      throw err;
    }
    return new Engine(node);
  }

  /** Announces stop for every transfer, closes every connection and the hash workers. */
  stop(): Promise<void> {
    return this.node.close();
  }

  /** Addresses other agents dial this node at. */
  addresses(): string[] {
    return this.node.addresses();
  }

  /**
   * Adds a holding: content held in full under `root` (each file at root/<path>), served to
   * peers. Pieces of the files in `hashed` are served without a re-hash while each file keeps
   * the fingerprint it had when it was hashed in full (from `hashWithFingerprints`).
   */
  provide(spec: TransferSpec, root: string, hashed: Readonly<Record<string, FileFingerprint>> = {}): Transfer {
    return this.node.provide(spec, root, hashed);
  }

  /**
   * Starts (or resumes) a download into `outDir`. One already complete is in place when
   * this returns: its `isComplete()` is true and no 'complete' follows.
   */
  download(
    spec: TransferSpec,
    outDir: string,
    include: readonly string[] = [],
    options: { overwrite?: boolean } = {},
  ): Promise<Transfer> {
    return this.node.download(spec, outDir, include, options);
  }

  /** Stops a download or drops a holding: peers are told, files on disk stay. */
  async remove(resourceId: string): Promise<void> {
    const transfer = this.transfer(resourceId);
    await this.node.stopTransfer(resourceId);
    // Read once stopped: nothing moves any more, so these are its final figures.
    if (transfer) {
      this.retired.uploaded += transfer.stats.uploaded;
      this.retired.downloaded += transfer.stats.downloaded;
      this.retired.uploadedToPeers += transfer.stats.uploadedToPeers;
    }
  }

  transfer(resourceId: string): Transfer | undefined {
    return this.node.transfers.get(resourceId)?.swarm;
  }

  transfers(): Transfer[] {
    return [...this.node.transfers.values()].map((t) => t.swarm);
  }

  /** Checks a download ticket against the server's keys, as a provider would check ours. */
  verifyTicket(ticket: string, expect: { resourceId: string; contentId: string; nodeId: string }): Promise<unknown> {
    return this.node.verifyTicket(ticket, expect);
  }

  /** Applies revocations learned from a heartbeat answer to every live transfer. */
  revoke(nodeIds: readonly string[]): Promise<void> {
    return this.node.revoke(nodeIds);
  }

  /**
   * The body of the next heartbeat: this node's addresses, every transfer as a holding, and
   * byte counters since start (every transfer, removed ones too). The server replaces the node's holdings with this
   * list. `addresses` stands in for the node's own when the host advertises others (the
   * built-in seed names the server's public host); `preheat` and `downloads` carry the
   * progress of the tasks `serve` was handed.
   */
  heartbeatReport(
    extra: { addresses?: string[]; preheat?: PreheatReport[]; downloads?: DownloadReport[] } = {},
  ): HeartbeatRequest {
    const transfers = this.transfers();
    const sum = (read: (t: Transfer) => number) => transfers.reduce((a, t) => a + read(t), 0);
    return {
      addresses: extra.addresses ?? this.addresses(),
      holdings: transfers.map((t) => ({
        resourceId: t.resourceId,
        complete: t.isComplete(),
        piecesHeld: t.piecesHeld(),
      })),
      uploadedBytes: this.retired.uploaded + sum((t) => t.stats.uploaded),
      downloadedBytes: this.retired.downloaded + sum((t) => t.stats.downloaded),
      uploadedToPeersBytes: this.retired.uploadedToPeers + sum((t) => t.stats.uploadedToPeers),
      ...(extra.preheat ? { preheat: extra.preheat } : {}),
      ...(extra.downloads ? { downloads: extra.downloads } : {}),
    };
  }
}
