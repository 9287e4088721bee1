import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A named set of minions a team owns (DESIGN.md §3). Archived projects keep their history. */
@Entity({ name: 'projects' })
@Index('projects_slug_uq', { synchronize: false })
@Check('projects_slug_check', `slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'`)
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  /** Salt globs; a plain minion id is a glob matching itself, so an explicit list is a list of ids. */
  @Column('text', { name: 'minion_patterns', array: true, default: () => "'{}'" })
  minionPatterns!: string[];

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'archived_at', nullable: true })
  archivedAt!: Date | null;
}
