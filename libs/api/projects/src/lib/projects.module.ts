import { Module, OnModuleInit } from '@nestjs/common';
import { AuditProjects } from '@sylvite/api-audit';
import { PrincipalService } from '@sylvite/api-auth';
import { ProjectsController } from './projects.controller';
import { ProjectsService } from './projects.service';
import { TimelineController } from './timeline.controller';
import { TimelineRepository } from './timeline.repository';

/**
 * Projects, memberships and the cross-project timeline. On start it plugs memberships into the
 * one policy engine (a grant source), `/api/auth/me` and the audit rows' project assignment.
 */
@Module({
  controllers: [ProjectsController, TimelineController],
  providers: [ProjectsService, TimelineRepository],
  exports: [ProjectsService],
})
export class ProjectsModule implements OnModuleInit {
  constructor(
    private readonly projects: ProjectsService,
    private readonly principals: PrincipalService,
    private readonly auditProjects: AuditProjects,
  ) {}

  onModuleInit(): void {
    this.principals.addGrantSource(this.projects.grantSource);
    this.principals.setMembershipSource((userId) => this.projects.membershipsFor(userId));
    this.auditProjects.use((minions) => this.projects.projectIdsFor(minions));
  }
}
