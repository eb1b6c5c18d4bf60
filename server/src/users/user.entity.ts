import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { UserRole } from '@shoal/contract';
import { timestampColumn } from '../database/column-types.js';

@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Stored lower-case; unique. */
  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  /** argon2id PHC string. */
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

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;

  @UpdateDateColumn(timestampColumn)
  updatedAt!: Date;
}
