import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { Response } from 'express';
import { Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import { AuditQueryDto } from '../audit-query.dto';
import { AuditExportService, type ExportFormat } from './audit-export.service';

export class AuditExportQueryDto extends AuditQueryDto {
  @IsIn(['csv', 'ndjson'], { message: 'format: must be csv or ndjson' })
  format!: ExportFormat;
}

@ApiTags('audit')
@Controller('audit')
export class AuditExportController {
  constructor(private readonly exporter: AuditExportService) {}

  /**
   * Every row matching the /api/audit filters (`limit`, `offset` and cursors do not apply), oldest
   * first, with the chain fields; streamed, so any size. Recorded as `audit.export`.
   */
  @Get('export')
  @RequirePerm('view:audit', { action: 'audit.export', resource: '*' })
  async export(@Query() q: AuditExportQueryDto, @Ctx() ctx: RequestContext, @Res() res: Response): Promise<void> {
    await this.exporter.stream(q, q.format, res, { revealSource: ctx.principal?.isAdmin ?? false });
  }
}
