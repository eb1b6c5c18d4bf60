import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { NodeRole } from '@shoal/contract';
import { jsonTransformer, sizeColumn, timestampColumn } from '../database/column-types.js';

@Entity('nodes')
@Index('IDX_nodes_enrolled_by', ['enrolledBy', 'revokedAt'])
export class Node {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: NodeRole;

  @Column({ type: 'varchar', length: 64, nullable: true })
  site!: string | null;

  @Column({ type: 'text', transformer: jsonTransformer<string[]>([]) })
  addresses!: string[];

  /** The node's Ed25519 public key (JWK "x", base64url). */
  @Column({ type: 'varchar', length: 64 })
  publicKeyX!: string;

  /** Who enrolled it: the user for self-enrolled clients, the token's creator for seeds. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  enrolledBy!: string | null;

  @Index('IDX_nodes_last_heartbeat')
  @Column({ ...timestampColumn, nullable: true })
  lastHeartbeatAt!: Date | null;

  /** When the agent said it stopped: offline from then on, until its next heartbeat. */
  @Column({ ...timestampColumn, nullable: true })
  leftAt!: Date | null;

  /** The agent version its last heartbeat came from (null before its first, and for the built-in seed). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  agentVersion!: string | null;

  @Column({ ...timestampColumn, nullable: true })
  revokedAt!: Date | null;

  @Column(sizeColumn)
  uploadedBytes!: number;

  @Column(sizeColumn)
  downloadedBytes!: number;

  /** The counters last reported, to turn an agent's since-start counters into deltas. */
  @Column(sizeColumn)
  lastReportedUploaded!: number;

  @Column(sizeColumn)
  lastReportedDownloaded!: number;

  @Column({ type: 'int', default: 0 })
  resourcesHeld!: number;

  /** Enrolled by a user with their own login (no enrollment token): counted by SHOAL_MAX_NODES_PER_USER. */
  @Column({ type: 'boolean', default: false })
  selfEnrolled!: boolean;

  /** The seed server built into the server process. */
  @Column({ type: 'boolean', default: false })
  builtin!: boolean;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;
}
