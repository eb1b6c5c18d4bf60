import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { NodeRole } from '@shoal/contract';
import { timestampColumn } from '../database/column-types.js';

/** One-time enrollment token. Only its SHA-256 is stored: a database leak enrolls nobody. */
@Entity('enrollment_tokens')
export class EnrollmentToken {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: NodeRole;

  @Column({ type: 'varchar', length: 64, nullable: true })
  site!: string | null;

  @Column({ type: 'varchar', length: 36 })
  createdBy!: string;

  @Column(timestampColumn)
  expiresAt!: Date;

  @Column({ ...timestampColumn, nullable: true })
  usedAt!: Date | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  usedByNode!: string | null;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;
}
