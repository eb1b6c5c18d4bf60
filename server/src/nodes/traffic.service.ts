import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { NodeRole } from '@shoal/contract';
import { MoreThanOrEqual, Repository } from 'typeorm';
import { TrafficBucket } from './traffic-bucket.entity.js';

const TRAFFIC_BUCKET_MS = 5 * 60 * 1000;

/** Bytes served per 5-minute bucket, by seed servers versus by downloaders serving each other. */
@Injectable()
export class TrafficService {
  constructor(@InjectRepository(TrafficBucket) private readonly buckets: Repository<TrafficBucket>) {}

  async add(role: NodeRole, bytes: number, at = Date.now()): Promise<void> {
    const bucketStart = new Date(Math.floor(at / TRAFFIC_BUCKET_MS) * TRAFFIC_BUCKET_MS);
    const column = role === 'seed' ? 'seedBytes' : 'peerBytes';
    const increment = () =>
      this.buckets
        .createQueryBuilder()
        .update(TrafficBucket)
        .set({ [column]: () => `${column} + ${Math.floor(bytes)}` })
        .where('bucketStart = :bucketStart', { bucketStart })
        .execute();
    if ((await increment()).affected) return;
    try {
      await this.buckets.insert({
        bucketStart,
        seedBytes: role === 'seed' ? bytes : 0,
        peerBytes: role === 'seed' ? 0 : bytes,
      });
    } catch {
      await increment(); // another request created the bucket first
    }
  }

  async since(from: Date): Promise<{ at: string; seedBytes: number; peerBytes: number }[]> {
    const rows = await this.buckets.find({
      where: { bucketStart: MoreThanOrEqual(from) },
      order: { bucketStart: 'ASC' },
    });
    return rows.map((r) => ({ at: r.bucketStart.toISOString(), seedBytes: r.seedBytes, peerBytes: r.peerBytes }));
  }
}
