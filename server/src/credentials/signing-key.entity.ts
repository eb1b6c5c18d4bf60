import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../database/column-types.js';

/**
 * The server's Ed25519 signing keys. Kept in the database (not a local file) so that
 * several server instances sign and verify with the same keys.
 */
@Entity('signing_keys')
export class SigningKey {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'text' })
  publicJwk!: string;

  @Column({ type: 'text' })
  privateJwk!: string;

  /** The one key new credentials are signed with. */
  @Column({ type: 'boolean', default: false })
  active!: boolean;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;

  /** When it stopped being active; it stays published until credentials it signed expire. */
  @Column({ ...timestampColumn, nullable: true })
  retiredAt!: Date | null;
}
