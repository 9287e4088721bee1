import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import type { AuditRetentionView } from '@sylvite/contracts';
import { Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import { SettingsStore } from '@sylvite/api-settings';
import { AUDIT_RETENTION_DEFAULT, AUDIT_RETENTION_KEY, AUDIT_RETENTION_MIN, AuditRetentionService } from './audit-retention.service';

const MESSAGE = `days: 0 (keep forever) or an integer from ${AUDIT_RETENTION_MIN} to 36500`;

export class AuditRetentionDto {
  @IsInt({ message: MESSAGE })
  @ValidateIf((o: AuditRetentionDto) => o.days !== 0)
  @Min(AUDIT_RETENTION_MIN, { message: MESSAGE })
  @Max(36500, { message: MESSAGE })
  days!: number;
}

/**
 * Audit retention, in days (default 365, minimum 30, 0 keeps forever). Lives here until the
 * Settings controller takes it as part of its `audit` section.
 */
@ApiTags('settings')
@Controller('admin/settings/audit-retention')
export class AuditRetentionController {
  constructor(private readonly retention: AuditRetentionService, private readonly settings: SettingsStore) {}

  @Get()
  @RequirePerm('edit:settings', { action: 'settings.audit_retention.read', resource: '*', label: 'settings:audit_retention' })
  async get(): Promise<AuditRetentionView> {
    return { days: await this.retention.days(), default: AUDIT_RETENTION_DEFAULT, minimum: AUDIT_RETENTION_MIN };
  }

  @Put()
  @RequirePerm('edit:settings', { action: 'settings.audit_retention.update', resource: '*', label: 'settings:audit_retention' })
  async set(@Body() body: AuditRetentionDto, @Ctx() ctx: RequestContext): Promise<AuditRetentionView> {
    await this.settings.set(AUDIT_RETENTION_KEY, body.days, ctx.principal?.userId ?? null);
    return { days: body.days, default: AUDIT_RETENTION_DEFAULT, minimum: AUDIT_RETENTION_MIN };
  }
}
