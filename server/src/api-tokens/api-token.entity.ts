import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ApiTokenScope } from '@shoal/contract';
import { timestampColumn } from '../database/column-types.js';

/** Scopes kept as one comma-separated column: a handful of fixed names, never queried inside. */
const scopesColumn = {
  to: (value: ApiTokenScope[] | undefined) => value?.join(','),
  from: (value: string | null) => (value ? (value.split(',') as ApiTokenScope[]) : []),
};

/**
 * A user's API token for automation. Only the SHA-256 of its secret is stored: a database
 * leak gives nobody a working token. Revoking deletes the row, so the next request with it
 * finds nothing.
 */
@Entity('api_tokens')
export class ApiToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_api_tokens_user')
  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 64, transformer: scopesColumn })
  scopes!: ApiTokenScope[];

  /** Hex SHA-256 of the secret part of the token. */
  @Column({ type: 'varchar', length: 64 })
  secretHash!: string;

  @Column(timestampColumn)
  expiresAt!: Date;

  /** Written at most once a minute per token (ApiTokensService.LAST_USED_RESOLUTION_MS). */
  @Column({ ...timestampColumn, nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;
}
