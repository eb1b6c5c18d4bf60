import { Column, Entity, PrimaryColumn } from 'typeorm';
import { sizeColumn } from '../database/column-types.js';

/**
 * Bytes uploaded per 5-minute bucket, split by who served them: seed servers or other
 * downloaders. The dashboard's "share of traffic the swarm took off the seeds".
 */
@Entity('traffic_buckets')
export class TrafficBucket {
  @PrimaryColumn({ type: 'datetime', precision: 3 })
  bucketStart!: Date;

  @Column(sizeColumn)
  seedBytes!: number;

  @Column(sizeColumn)
  peerBytes!: number;
}
