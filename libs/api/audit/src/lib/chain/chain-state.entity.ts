import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The chain's one state row: where it starts (the anchor: genesis, or the last row a purge removed)
 * and where it ends (the head). Both carry a MAC so a verifier can tell a truncated tail or a
 * moved anchor from a clean chain. Written only by AuditChain, under the append lock.
 */
@Entity({ name: 'audit_chain_state' })
@Check('audit_chain_state_single_check', `id = 1`)
export class AuditChainStateEntity {
  @PrimaryColumn('smallint')
  id!: number;

  @Column('bigint', { name: 'anchor_seq', default: 0 })
  anchorSeq!: string;

  @Column('bigint', { name: 'anchor_id', nullable: true })
  anchorId!: string | null;

  @Column('bytea', { name: 'anchor_hash' })
  anchorHash!: Buffer;

  @Column('bytea', { name: 'anchor_mac', nullable: true })
  anchorMac!: Buffer | null;

  @Column('bigint', { name: 'head_seq', default: 0 })
  headSeq!: string;

  @Column('bigint', { name: 'head_id', nullable: true })
  headId!: string | null;

  @Column('bytea', { name: 'head_hash' })
  headHash!: Buffer;

  @Column('bytea', { name: 'head_mac', nullable: true })
  headMac!: Buffer | null;

  @Column('timestamptz', { name: 'last_checkpoint_at', nullable: true })
  lastCheckpointAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
