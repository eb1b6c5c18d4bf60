import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Server-wide secrets generated at first start and shared by every instance (e.g. the user-token key). */
@Entity('server_secrets')
export class ServerSecret {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'text' })
  value!: string;
}
