import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '@sylvite/api-auth';
import { ProjectEntity } from './project.entity';

@Entity({ name: 'project_memberships' })
@Index('project_memberships_user_idx', { synchronize: false })
@Check('project_memberships_role_check', `role IN ('viewer', 'operator', 'admin')`)
export class ProjectMembershipEntity {
  @PrimaryColumn('uuid', { name: 'project_id' })
  projectId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  role!: 'viewer' | 'operator' | 'admin';

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'project_memberships_project_id_fkey' })
  project?: ProjectEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'project_memberships_user_id_fkey' })
  user?: UserEntity;
}
