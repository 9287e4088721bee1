import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { ActivityEventDetailDto, ActivityPage, ActivityWidgetConfig, PermissionKey } from '@sylvite/contracts';
import { Authenticated, Ctx, RequirePerm, type AuthenticatedPrincipal, type RequestContext } from '@sylvite/api-core';
import { ActivityService } from './activity.service';
import { ActivityExportQueryDto, ActivityQueryDto, ActivityStreamQueryDto } from './dto/activity-query.dto';
import { ActivityExportService } from './export/activity-export.service';
import { ActivityStreamHub } from './stream/activity-stream.service';

/** Any one category grant lets a caller in; the service narrows every result to what it grants. */
const VIEW_ANY: PermissionKey[] = ['view:job', 'view:key', 'view:minion'];

function principalOf(ctx: RequestContext): AuthenticatedPrincipal {
  // The guard refuses anonymous callers on these routes; this only satisfies the type.
  if (!ctx.principal) throw new Error('policy guard did not authenticate this request');
  return ctx.principal;
}

@ApiTags('activity')
@Controller('activity')
export class ActivityController {
  constructor(
    private readonly activity: ActivityService,
    private readonly streams: ActivityStreamHub,
    private readonly exports: ActivityExportService,
  ) {}

  /** Newest first, ties broken by id; only the categories and minions the caller may view. */
  @Get()
  @RequirePerm(VIEW_ANY, { action: 'activity.read', label: 'activity:*' })
  list(@Query() q: ActivityQueryDto, @Ctx() ctx: RequestContext): Promise<ActivityPage> {
    return this.activity.list(principalOf(ctx), q);
  }

  /**
   * SSE. Only "signed in" is declared because the contract orders the checks 401 → 503 (stream
   * disabled) → 403 (no category): the hub answers 503 and 403 itself, in that order.
   */
  @Get('stream')
  @Authenticated('activity.stream', 'activity:stream')
  stream(
    @Query() q: ActivityStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Ctx() ctx: RequestContext,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.streams.open(principalOf(ctx), q, lastEventId, req, res);
  }

  /** Display settings of the Overview's widget; any signed-in user may read them. */
  @Get('widget-config')
  @Authenticated('activity.widget_config', 'settings:widget')
  widgetConfig(): Promise<ActivityWidgetConfig> {
    return this.activity.widgetConfig();
  }

  @Get('export')
  @RequirePerm(VIEW_ANY, { action: 'activity.export', label: 'activity:*' })
  export(@Query() q: ActivityExportQueryDto, @Ctx() ctx: RequestContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.exports.export(ctx, q, req, res);
  }

  /** One event with its stored raw payload; 404 when unknown or outside the caller's scope. */
  @Get(':id')
  @RequirePerm(VIEW_ANY, { action: 'activity.read', label: (r) => `activity:${String(r.params['id'])}` })
  detail(@Param('id') id: string, @Ctx() ctx: RequestContext): Promise<ActivityEventDetailDto> {
    return this.activity.detail(principalOf(ctx), id);
  }
}
