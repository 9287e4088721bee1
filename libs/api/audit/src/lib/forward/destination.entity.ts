import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A SIEM webhook. `delivered_seq` is its cursor in the chain: every row up to it was delivered. */
@Entity({ name: 'audit_destinations' })
@Check('audit_destinations_decision_check', `decision IN ('allow', 'deny')`)
@Index('audit_destinations_name_uq', { synchronize: false })
export class AuditDestinationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  url!: string;

  /** AES-256-GCM under a key derived from SYLVITE_SECRET; never returned by the API. */
  @Column('text', { name: 'secret_enc' })
  secretEnc!: string;

  @Column({ type: 'text', name: 'action_prefix', collation: 'C', nullable: true })
  actionPrefix!: string | null;

  @Column('text', { nullable: true })
  decision!: 'allow' | 'deny' | null;

  @Column('boolean', { default: true })
  enabled!: boolean;

  @Column('bigint', { name: 'delivered_seq', default: 0 })
  deliveredSeq!: string;

  @Column('bigint', { name: 'delivered_id', nullable: true })
  deliveredId!: string | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column('integer', { default: 0 })
  failures!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { name: 'last_attempt_at', nullable: true })
  lastAttemptAt!: Date | null;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;

  @Column('text', { name: 'lease_owner', nullable: true })
  leaseOwner!: string | null;

  @Column('timestamptz', { name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
