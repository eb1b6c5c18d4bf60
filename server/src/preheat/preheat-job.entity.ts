import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../database/column-types.js';

@Entity('preheat_jobs')
export class PreheatJobEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_preheat_jobs_resource')
  @Column({ type: 'varchar', length: 36 })
  resourceId!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  site!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;

  @Column({ ...timestampColumn, nullable: true })
  cancelledAt!: Date | null;
}
