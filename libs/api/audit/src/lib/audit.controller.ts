import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuditPage } from '@sylvite/contracts';
import { Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import { AuditQueryDto } from './audit-query.dto';
import { AuditRepository } from './audit.repository';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly repo: AuditRepository) {}

  /** Newest first; `source_ip` and `user_agent` for admins only. */
  @Get()
  @RequirePerm('view:audit', { action: 'audit.read', resource: '*' })
  list(@Query() q: AuditQueryDto, @Ctx() ctx: RequestContext): Promise<AuditPage> {
    return this.repo.page(q, { revealSource: ctx.principal?.isAdmin ?? false });
  }
}
