import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../database/column-types.js';

/** Who did what, when, from where: logins (failed ones and lockouts too), manifest downloads, publishes, revocations, user changes. */
@Entity('audit_entries')
export class AuditEntry {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  username!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  resourceId!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  nodeId!: string | null;

  /** The client address the action came from (logins), as the server saw it through SHOAL_TRUSTED_PROXIES. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  /** What else the action was about (e.g. the user whose role changed). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  detail!: string | null;

  @Index('IDX_audit_at')
  @CreateDateColumn(timestampColumn)
  at!: Date;
}
