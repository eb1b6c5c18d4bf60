import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { UserRole } from '@shoal/contract';
import { timestampColumn } from '../database/column-types.js';

@Entity('users')
@Index('IDX_users_oidc_identity', ['oidcIssuer', 'oidcSubject'], { unique: true })
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Stored lower-case; unique. */
  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  /** argon2id PHC string; for a single sign-on user a marker no password verifies against. */
  @Column({ type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: UserRole;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /**
   * Moved on by "sign out everywhere", a password change or reset: a user token issued
   * under an earlier generation (claim `gen`) is refused.
   */
  @Column({ type: 'int', default: 0 })
  sessionGeneration!: number;

  /** The OpenID Connect identity (issuer + subject, unique together) of a single sign-on user; null for local ones. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  oidcIssuer!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  oidcSubject!: string | null;

  /** JSON array of the user's IdP groups from the last sign-in. */
  @Column({ type: 'text', nullable: true })
  idpGroups!: string | null;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;

  @UpdateDateColumn(timestampColumn)
  updatedAt!: Date;
}
