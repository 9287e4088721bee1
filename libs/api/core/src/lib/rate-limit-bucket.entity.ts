import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Fixed-window counters shared by every replica (login throttling, the timeline's 60/min). */
@Entity({ name: 'rate_limit_buckets' })
@Index('rate_limit_buckets_window_idx', ['windowStart'])
export class RateLimitBucketEntity {
  @PrimaryColumn('text')
  key!: string;

  @PrimaryColumn('timestamptz', { name: 'window_start' })
  windowStart!: Date;

  @Column('integer', { default: 0 })
  hits!: number;
}
