import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { RequirePerm } from '@sylvite/api-core';
import { AuditVerifyService } from './audit-verify.service';
import type { VerifyReport } from './chain-verifier';

export class AuditVerifyQueryDto {
  @IsOptional() @IsISO8601({ strict: true }, { message: 'since: must be an ISO 8601 timestamp' })
  since?: string;
}

@ApiTags('audit')
@Controller('audit')
export class AuditVerifyController {
  constructor(private readonly verifier: AuditVerifyService) {}

  /** Walks the whole chain (or from `since`) and names the first row that breaks it. */
  @Get('verify')
  @RequirePerm('view:audit', { action: 'audit.verify', resource: '*' })
  verify(@Query() q: AuditVerifyQueryDto): Promise<VerifyReport> {
    return this.verifier.verify({ since: q.since });
  }
}
