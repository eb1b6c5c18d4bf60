import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { FileEntry } from '@shoal/contract';
import { jsonTransformer, sizeColumn, timestampColumn } from '../database/column-types.js';

/** The default sort's index, covering what a walk of it reads (id, nameLower): see the migration SearchIndexes. */
@Index('IDX_resources_created_walk', ['createdAt', 'id', 'nameLower'])
@Entity('resources')
export class Resource {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_resources_content_id', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  contentId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** Lower-cased name: the sort key for "name", indexed so sorted pages never scan. */
  @Index('IDX_resources_name_lower')
  @Column({ type: 'varchar', length: 200 })
  nameLower!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text', transformer: jsonTransformer<string[]>([]) })
  tags!: string[];

  @Index('IDX_resources_total_size')
  @Column(sizeColumn)
  totalSize!: number;

  @Column({ type: 'int' })
  pieceSize!: number;

  @Column({ type: 'int' })
  pieceCount!: number;

  @Column({ type: 'int' })
  fileCount!: number;

  /** File list as JSON; read whole, never queried into. */
  @Column({ type: 'text', transformer: jsonTransformer<FileEntry[]>([]) })
  files!: FileEntry[];

  /** Piece hashes concatenated as hex (64 characters each). */
  @Column({ type: 'text' })
  pieceHashes!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  publishedBy!: string | null;

  /**
   * Online seed servers holding it completely and current downloaders. Kept on the row
   * (refreshed from the node registry and swarm state) so the browse table can sort on
   * them with an index instead of counting per row.
   */
  @Index('IDX_resources_seed_count')
  @Column({ type: 'int', default: 0 })
  seedCount!: number;

  @Index('IDX_resources_downloader_count')
  @Column({ type: 'int', default: 0 })
  downloaderCount!: number;

  @CreateDateColumn(timestampColumn)
  createdAt!: Date;

  @Index('IDX_resources_updated_at')
  @UpdateDateColumn(timestampColumn)
  updatedAt!: Date;
}
