import { Controller, ForbiddenException, Get, NotFoundException, Param, Query, UnauthorizedException } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { decide, type ProjectAuditPage, type TimelinePage } from '@sylvite/contracts';
import { Authenticated, Ctx, HttpErrorWithHeaders, RateLimiter, type AuthenticatedPrincipal, type RequestContext } from '@sylvite/api-core';
import { ProjectsService } from './projects.service';
import { parseProjectAuditQuery, parseTimelineQuery } from './timeline-query';
import { TimelineRepository, toProjectAuditItem, toTimelineItem, type AuditScope } from './timeline.repository';

export const TIMELINE_RATE_PER_MINUTE = 60;
export const TIMELINE_RATE_DETAIL = 'activity feed rate limit exceeded (60/min per user)';

const EMPTY: TimelinePage = { items: [], next_before_cursor: null, newest_cursor: null };

function principalOf(ctx: RequestContext): AuthenticatedPrincipal {
  if (!ctx.principal) throw new UnauthorizedException('sign in required');
  return ctx.principal;
}

/** The cross-project timeline (seeds/002) and each project's own audit page. Read-only. */
@ApiTags('projects')
@Controller('v1')
export class TimelineController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly repo: TimelineRepository,
    private readonly limiter: RateLimiter,
  ) {}

  /**
   * Admins read every row; others the rows of their projects plus their own fleet-wide rows. A
   * project outside the caller's reach, known or not, answers an empty page: probes learn nothing.
   */
  @Get('activity')
  @Authenticated('activity.timeline', 'timeline:*')
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  @ApiQuery({ name: 'since_cursor', required: false, description: '<iso_occurred_at>|<row_id>: rows newer than it, oldest page first' })
  @ApiQuery({ name: 'before_cursor', required: false, description: '<iso_occurred_at>|<row_id>: rows older than it' })
  @ApiQuery({ name: 'project_slug', required: false })
  @ApiQuery({ name: 'action_prefix', required: false, description: 'literal prefix; % and _ are not wildcards' })
  async timeline(@Query() raw: Record<string, unknown>, @Ctx() ctx: RequestContext): Promise<TimelinePage> {
    const p = principalOf(ctx);
    // Counted before anything else, malformed requests included; the counter lives in PostgreSQL,
    // so the limit holds across every replica on the database.
    const hits = await this.limiter.hit(`timeline:${p.userId}`, 60);
    if (hits > TIMELINE_RATE_PER_MINUTE) {
      throw new HttpErrorWithHeaders(429, TIMELINE_RATE_DETAIL, { 'Retry-After': '60' }, { detail: TIMELINE_RATE_DETAIL });
    }
    const q = parseTimelineQuery(raw);
    let scope: AuditScope;
    if (p.isAdmin) {
      const project = q.projectSlug ? await this.projects.findBySlug(q.projectSlug) : null;
      if (q.projectSlug && !project) return EMPTY;
      scope = project ? { kind: 'rows', projectIds: [project.id] } : { kind: 'all' };
    } else {
      const mine = await this.projects.timelineScope(p.userId);
      if (!mine.length) return EMPTY;
      if (q.projectSlug) {
        const project = mine.find((m) => m.slug === q.projectSlug);
        if (!project) return EMPTY;
        scope = { kind: 'rows', projectIds: [project.id] };
      } else {
        scope = { kind: 'rows', projectIds: mine.map((m) => m.id), ownFleetWideOf: p.userId };
      }
    }
    const page = await this.repo.page({
      scope,
      filters: { actionPrefix: q.actionPrefix },
      limit: q.limit,
      since: q.since,
      before: q.before,
      reveal: p.isAdmin,
    });
    return { ...page, items: page.items.map(toTimelineItem) };
  }

  /**
   * For the project's admins (`view:audit:<slug>`) and global audit readers. Unknown project and
   * non-member get the same 404; a member below admin gets 403.
   */
  @Get('projects/:slug/audit')
  @Authenticated('audit.project.read', (r) => `project:${String(r.params['slug'] ?? '?')}`)
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  @ApiQuery({ name: 'since_cursor', required: false })
  @ApiQuery({ name: 'before_cursor', required: false })
  @ApiQuery({ name: 'action_prefix', required: false })
  @ApiQuery({ name: 'outcome', required: false, enum: ['allow', 'deny'] })
  @ApiQuery({ name: 'user_id', required: false })
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601, inclusive' })
  @ApiQuery({ name: 'until', required: false, description: 'ISO 8601, exclusive' })
  async projectAudit(@Param('slug') slug: string, @Query() raw: Record<string, unknown>, @Ctx() ctx: RequestContext): Promise<ProjectAuditPage> {
    const p = principalOf(ctx);
    const q = parseProjectAuditQuery(raw);
    const notFound = () => new NotFoundException(`project "${slug}" not found`);
    const project = await this.projects.findBySlug(slug);
    if (!project) throw notFound();
    if (!decide(p, 'view:audit', project.slug).allowed) {
      if (!(await this.projects.roleOf(project.id, p.userId))) throw notFound();
      throw new ForbiddenException(`permission denied: the project's audit needs the admin role in "${slug}"`);
    }
    const page = await this.repo.page({
      scope: { kind: 'rows', projectIds: [project.id] },
      filters: { actionPrefix: q.actionPrefix, decision: q.outcome, userId: q.userId, sinceAt: q.sinceAt, untilAt: q.untilAt },
      limit: q.limit,
      since: q.since,
      before: q.before,
      reveal: true,
    });
    return { ...page, items: page.items.map(toProjectAuditItem) };
  }
}
