import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RequirePerm } from '@sylvite/api-core';
import type { ProjectDto, ProjectMemberDto } from '@sylvite/contracts';
import { AddMemberDto, CreateProjectDto, UpdateMemberDto, UpdateProjectDto } from './dto';
import { ProjectsService } from './projects.service';

/**
 * The slug a route is about. Checked against `manage:project:<pattern>`: a global admin's `*`
 * matches every slug, a project admin's grant (`manage:project:<their slug>`) only their own.
 */
const slugOf = (req: Request) => String(req.params['slug'] ?? '?');
const label = (req: Request) => `project:${slugOf(req)}`;

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @RequirePerm('manage:project', { action: 'project.list', resource: '*' })
  list(@Query('include_archived') includeArchived?: string): Promise<ProjectDto[]> {
    return this.projects.list(includeArchived === 'true' || includeArchived === '1');
  }

  @Post()
  @RequirePerm('manage:project', { action: 'project.create', resource: '*', label: (r) => `project:${r.body?.slug ?? '?'}` })
  create(@Body() body: CreateProjectDto): Promise<ProjectDto> {
    return this.projects.create(body);
  }

  @Get(':slug')
  @RequirePerm('manage:project', { action: 'project.read', resource: slugOf, label })
  get(@Param('slug') slug: string): Promise<ProjectDto> {
    return this.projects.get(slug);
  }

  /** Global admins only: a project admin who could change the patterns could widen their own grants. */
  @Patch(':slug')
  @RequirePerm('manage:project', { action: 'project.update', resource: '*', label })
  update(@Param('slug') slug: string, @Body() body: UpdateProjectDto): Promise<ProjectDto> {
    return this.projects.update(slug, body);
  }

  @Post(':slug/archive')
  @HttpCode(200)
  @RequirePerm('manage:project', { action: 'project.archive', resource: '*', label })
  archive(@Param('slug') slug: string): Promise<ProjectDto> {
    return this.projects.archive(slug);
  }

  @Get(':slug/members')
  @RequirePerm('manage:project', { action: 'membership.list', resource: slugOf, label })
  members(@Param('slug') slug: string): Promise<ProjectMemberDto[]> {
    return this.projects.members(slug);
  }

  @Post(':slug/members')
  @RequirePerm('manage:project', { action: 'membership.grant', resource: slugOf, label })
  addMember(@Param('slug') slug: string, @Body() body: AddMemberDto): Promise<ProjectMemberDto> {
    return this.projects.addMember(slug, body);
  }

  @Patch(':slug/members/:userId')
  @RequirePerm('manage:project', { action: 'membership.update', resource: slugOf, label })
  updateMember(
    @Param('slug') slug: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() body: UpdateMemberDto,
  ): Promise<ProjectMemberDto> {
    return this.projects.updateMember(slug, userId, body.role);
  }

  @Delete(':slug/members/:userId')
  @HttpCode(204)
  @RequirePerm('manage:project', { action: 'membership.revoke', resource: slugOf, label })
  removeMember(@Param('slug') slug: string, @Param('userId', ParseUUIDPipe) userId: string): Promise<void> {
    return this.projects.removeMember(slug, userId);
  }
}
