import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a node reported holding in its last heartbeat. */
@Entity('node_holdings')
@Index('IDX_node_holdings_resource', ['resourceId', 'complete'])
export class NodeHolding {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  nodeId!: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  resourceId!: string;

  @Column({ type: 'boolean' })
  complete!: boolean;

  @Column({ type: 'int' })
  piecesHeld!: number;
}
