import type { DownloadRequestState } from '@shoal/contract';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { sizeColumn, timestampColumn } from '../database/column-types.js';

/** A user's "send to my machine": one resource, one node. */
@Entity('download_requests')
@Index('IDX_download_requests_node_state', ['nodeId', 'state'])
@Index('IDX_download_requests_user_state', ['requestedBy', 'state'])
export class DownloadRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  resourceId!: string;

  @Column({ type: 'varchar', length: 36 })
  nodeId!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: DownloadRequestState;

  @Column(sizeColumn)
  doneBytes!: number;

  /** The resource's size when asked: the server's figure, not the agent's. */
  @Column(sizeColumn)
  totalBytes!: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;

  @Column(timestampColumn)
  updatedAt!: Date;
}
