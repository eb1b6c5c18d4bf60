import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { NodeRole } from '@shoal/contract';
import { timestampColumn } from '../database/column-types.js';

/**
 * An enrollment token: one-time (`maxUses` 1, the default) or reusable up to `maxUses`
 * machines, each enrolling with its own key. Only its SHA-256 is stored: a database leak
 * enrolls nobody. `id` names it in the admin pages and the audit log.
 */
@Entity('enrollment_tokens')
export class EnrollmentToken {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Index('IDX_enrollment_tokens_id', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: NodeRole;

  @Column({ type: 'varchar', length: 64, nullable: true })
  site!: string | null;

  @Column({ type: 'varchar', length: 36 })
  createdBy!: string;

  @Column(timestampColumn)
  expiresAt!: Date;

  @Column({ type: 'int', default: 1 })
  maxUses!: number;

  @Column({ type: 'int', default: 0 })
  uses!: number;

  /** When the last machine enrolled with it. */
  @Column({ ...timestampColumn, nullable: true })
  usedAt!: Date | null;

  /** The node the last use enrolled. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  usedByNode!: string | null;

  @Column({ ...timestampColumn, nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;
}
