import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import type { Request } from 'express';
import { Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import type {
  JobDetailDto, JobsPageDto, KeyActionDto, KeysDto, KillResponseDto, MinionDetailDto, MinionsPageDto, RunResponseDto,
} from '@sylvite/contracts';
import { JobsQueryDto, MinionsQueryDto, RunJobDto } from './dto';
import { JobsService } from './jobs/jobs.service';
import { KeysService, type KeyAction } from './keys/keys.service';
import { MinionsService } from './minions/minions.service';
import { RunService } from './run/run.service';

const param = (name: string) => (r: Request) => String(r.params[name] ?? '');
const jobLabel = (r: Request) => `job:${String(r.params['jid'] ?? '')}`;
const keyLabel = (r: Request) => `key:${String(r.params['id'] ?? '')}`;

/** The audit resource of a run: the target as asked (`minion:web*`). */
function runLabel(r: Request): string {
  const t: unknown = (r.body as { target?: unknown } | undefined)?.target;
  const text = Array.isArray(t) ? t.filter((x) => typeof x === 'string').join(',') : typeof t === 'string' ? t : '?';
  return `minion:${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
}

function principalOf(ctx: RequestContext) {
  // The guard authenticated every route below; a missing principal is a wiring fault.
  if (!ctx.principal) throw new Error('no principal on an authenticated route');
  return ctx.principal;
}

@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @RequirePerm('view:job', { action: 'job.list', label: 'job:*' })
  list(@Ctx() ctx: RequestContext, @Query() q: JobsQueryDto): Promise<JobsPageDto> {
    return this.jobs.list(principalOf(ctx), q);
  }

  @Get(':jid')
  @RequirePerm('view:job', { action: 'job.read', label: jobLabel })
  one(@Ctx() ctx: RequestContext, @Param('jid') jid: string): Promise<JobDetailDto> {
    return this.jobs.detail(principalOf(ctx), jid, ctx);
  }

  @Post(':jid/kill')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePerm('kill:job', { action: 'job.kill', label: jobLabel })
  kill(@Ctx() ctx: RequestContext, @Param('jid') jid: string): Promise<KillResponseDto> {
    return this.jobs.kill(ctx, jid);
  }
}

@Controller('run')
export class RunController {
  constructor(private readonly runs: RunService) {}

  /** The target's minions are checked against the run:job grant by the service, after resolving it. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePerm('run:job', { action: 'salt.run', label: runLabel })
  run(@Ctx() ctx: RequestContext, @Body() body: RunJobDto): Promise<RunResponseDto> {
    return this.runs.run(ctx, body);
  }
}

@Controller('keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  @RequirePerm('view:key', { action: 'key.list', label: 'key:*' })
  list(@Ctx() ctx: RequestContext): Promise<KeysDto> {
    return this.keys.list(principalOf(ctx));
  }

  @Post(':id/accept')
  @HttpCode(HttpStatus.OK)
  @RequirePerm('manage:key', { action: 'key.accept', resource: param('id'), label: keyLabel })
  accept(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<KeyActionDto> {
    return this.act(ctx, id, 'accept');
  }

  @Post(':id/reject')
  @HttpCode(HttpStatus.OK)
  @RequirePerm('manage:key', { action: 'key.reject', resource: param('id'), label: keyLabel })
  reject(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<KeyActionDto> {
    return this.act(ctx, id, 'reject');
  }

  @Delete(':id')
  @RequirePerm('manage:key', { action: 'key.delete', resource: param('id'), label: keyLabel })
  remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<KeyActionDto> {
    return this.act(ctx, id, 'delete');
  }

  private act(ctx: RequestContext, id: string, action: KeyAction): Promise<KeyActionDto> {
    return this.keys.act(ctx, id, action);
  }
}

@Controller('minions')
export class MinionsController {
  constructor(private readonly minions: MinionsService) {}

  @Get()
  @RequirePerm('view:minion', { action: 'minion.list', label: 'minion:*' })
  list(@Ctx() ctx: RequestContext, @Query() q: MinionsQueryDto): Promise<MinionsPageDto> {
    return this.minions.list(principalOf(ctx), q);
  }

  @Get(':id')
  @RequirePerm('view:minion', { action: 'minion.read', resource: param('id') })
  one(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<MinionDetailDto> {
    return this.minions.one(principalOf(ctx), id, ctx);
  }
}
