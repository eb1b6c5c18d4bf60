import type { PreheatTaskState } from '@shoal/contract';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../database/column-types.js';

/** One seed server's part of a preheat job. */
@Entity('preheat_tasks')
@Index('IDX_preheat_tasks_node_state', ['nodeId', 'state'])
export class PreheatTaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  jobId!: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  nodeId!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: PreheatTaskState;

  @Column({ type: 'int', default: 0 })
  percent!: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column(timestampColumn)
  updatedAt!: Date;
}
