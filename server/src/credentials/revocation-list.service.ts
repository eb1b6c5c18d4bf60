import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { TOKEN_LIFETIMES } from '@shoal/contract';
import { IsNull, MoreThan, Not, Repository } from 'typeorm';
import { Node } from '../nodes/node.entity.js';

/** How often each instance re-reads revocations made on other instances. */
const REFRESH_INTERVAL_MS = 3_000;

/**
 * Revoked node ids, held in memory so the tracker's hot path never queries the database
 * to refuse a revoked node. A revocation on this instance takes effect at once; one on a
 * sibling instance within REFRESH_INTERVAL_MS.
 */
@Injectable()
export class RevocationListService implements OnModuleInit, OnModuleDestroy {
  private revoked = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(@InjectRepository(Node) private readonly nodes: Repository<Node>) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  isRevoked(nodeId: string): boolean {
    return this.revoked.has(nodeId);
  }

  markRevoked(nodeId: string): void {
    this.revoked.add(nodeId);
  }

  /** Revoked nodes whose credentials may still be unexpired: what agents must refuse. */
  async recentlyRevoked(): Promise<string[]> {
    const since = new Date(Date.now() - 1000 * TOKEN_LIFETIMES.nodeCredentialSeconds);
    const rows = await this.nodes.find({ select: { id: true }, where: { revokedAt: MoreThan(since) }, take: 10_000 });
    return rows.map((r) => r.id);
  }

  private async refresh(): Promise<void> {
    const rows = await this.nodes.find({ select: { id: true }, where: { revokedAt: Not(IsNull()) } });
    this.revoked = new Set(rows.map((r) => r.id));
  }
}
