import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** DESIGN.md §4. Written through AuditWriter only; read through AuditRepository. */
@Entity({ name: 'audit_log' })
@Check('audit_log_decision_check', `decision IN ('allow', 'deny')`)
@Index('audit_log_at_idx', { synchronize: false })
@Index('audit_log_action_idx', { synchronize: false })
@Index('audit_log_user_idx', { synchronize: false })
@Index('audit_log_decision_idx', { synchronize: false })
@Index('audit_log_resource_idx', { synchronize: false })
@Index('audit_log_jid_idx', { synchronize: false })
@Index('audit_log_project_idx', { synchronize: false })
@Check('audit_log_chain_check', `(hash IS NULL) = (prev_hash IS NULL) AND (hash IS NULL) = (chain_seq IS NULL)`)
@Index('audit_log_chain_seq_uq', { synchronize: false })
@Index('audit_log_prev_hash_uq', { synchronize: false })
@Index('audit_log_pending_idx', { synchronize: false })
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('timestamptz', { default: () => 'now()' })
  at!: Date;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  @Column({ type: 'text', collation: 'C' })
  action!: string;

  @Column('text')
  resource!: string;

  @Column('jsonb', { name: 'args_json', nullable: true })
  argsJson!: unknown;

  @Column('text', { name: 'salt_jid', nullable: true })
  saltJid!: string | null;

  @Column('text')
  decision!: 'allow' | 'deny';

  @Column('integer', { name: 'result_code', nullable: true })
  resultCode!: number | null;

  @Column('integer', { name: 'duration_ms', nullable: true })
  durationMs!: number | null;

  @Column('inet', { name: 'source_ip', nullable: true })
  sourceIp!: string | null;

  @Column('text', { name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;

  @Column('uuid', { name: 'project_ids', array: true, default: () => "'{}'" })
  projectIds!: string[];

  /** Sealed with `result_code` still null: the process ended before the request completed. */
  @Column('boolean', { default: false })
  incomplete!: boolean;

  /** The row's position in the chain (commit order); null while the row is pending. */
  @Column('bigint', { name: 'chain_seq', nullable: true })
  chainSeq!: string | null;

  @Column('bytea', { name: 'prev_hash', nullable: true })
  prevHash!: Buffer | null;

  @Column('bytea', { nullable: true })
  hash!: Buffer | null;
}
