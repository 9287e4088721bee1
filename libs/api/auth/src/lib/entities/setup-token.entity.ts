import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'setup_tokens' })
export class SetupTokenEntity {
  @PrimaryColumn('text', { name: 'token_hash' })
  tokenHash!: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
