import { Body, Controller, Get, HttpCode, Inject, Optional, Patch, Post, Put, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SaltConnectionTestResult, SaltSettingsView, SettingsView, WidgetSettings } from '@sylvite/contracts';
import { Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import { AppSettings } from './app-settings.service';
import { SALT_CONNECTION_TESTER, type SaltConnectionTester } from './salt-connection-tester';
import { AuditSettingsDto, RetentionSettingsDto, SaltSettingsDto, StreamSettingsDto, WidgetSettingsDto } from './settings.dto';

const uid = (ctx: RequestContext) => ctx.principal?.userId ?? null;

/**
 * `/api/admin/settings`: every section for `edit:settings:*`; each change is audited under its
 * own action (the audit interceptor writes the row, with the password redacted, before the save).
 */
@ApiTags('settings')
@Controller('admin/settings')
export class SettingsController {
  constructor(
    private readonly settings: AppSettings,
    @Optional() @Inject(SALT_CONNECTION_TESTER) private readonly tester: SaltConnectionTester | null,
  ) {}

  @Get()
  @RequirePerm('edit:settings', { action: 'settings.read', resource: '*' })
  get(): Promise<SettingsView> {
    return this.settings.view();
  }

  @Put('salt')
  @RequirePerm('edit:settings', { action: 'settings.salt.update', resource: '*' })
  putSalt(@Body() body: SaltSettingsDto, @Ctx() ctx: RequestContext): Promise<SaltSettingsView> {
    return this.settings.updateSalt(body, 'put', uid(ctx));
  }

  @Patch('salt')
  @RequirePerm('edit:settings', { action: 'settings.salt.update', resource: '*' })
  patchSalt(@Body() body: SaltSettingsDto, @Ctx() ctx: RequestContext): Promise<SaltSettingsView> {
    return this.settings.updateSalt(body, 'patch', uid(ctx));
  }

  /** Logs in with the given settings (saved ones fill the gaps) and reports what it found; saves nothing. */
  @Post('salt/test')
  @HttpCode(200)
  @RequirePerm('edit:settings', { action: 'settings.salt.test', resource: '*' })
  async testSalt(@Body() body: SaltSettingsDto): Promise<SaltConnectionTestResult> {
    if (!this.tester) throw new ServiceUnavailableException('the salt-api connector is not loaded');
    const saved = await this.settings.saltConnection();
    return this.tester.test({
      url: body.url !== undefined ? (body.url || null) : saved.url,
      username: body.username !== undefined ? (body.username || null) : saved.username,
      password: body.password !== undefined ? body.password : saved.password,
      eauth: body.eauth ?? saved.eauth,
    });
  }

  @Put('stream')
  @RequirePerm('edit:settings', { action: 'settings.stream.update', resource: '*' })
  putStream(@Body() body: StreamSettingsDto, @Ctx() ctx: RequestContext): Promise<SettingsView['stream']> {
    return this.settings.updateStream(body, 'put', uid(ctx));
  }

  @Patch('stream')
  @RequirePerm('edit:settings', { action: 'settings.stream.update', resource: '*' })
  patchStream(@Body() body: StreamSettingsDto, @Ctx() ctx: RequestContext): Promise<SettingsView['stream']> {
    return this.settings.updateStream(body, 'patch', uid(ctx));
  }

  @Put('retention')
  @RequirePerm('edit:settings', { action: 'settings.retention.update', resource: '*' })
  putRetention(@Body() body: RetentionSettingsDto, @Ctx() ctx: RequestContext): Promise<SettingsView['retention']> {
    return this.settings.updateRetention(body, 'put', uid(ctx));
  }

  @Patch('retention')
  @RequirePerm('edit:settings', { action: 'settings.retention.update', resource: '*' })
  patchRetention(@Body() body: RetentionSettingsDto, @Ctx() ctx: RequestContext): Promise<SettingsView['retention']> {
    return this.settings.updateRetention(body, 'patch', uid(ctx));
  }

  @Put('audit')
  @RequirePerm('edit:settings', { action: 'settings.audit.update', resource: '*' })
  putAudit(@Body() body: AuditSettingsDto, @Ctx() ctx: RequestContext): Promise<SettingsView['audit']> {
    return this.settings.updateAudit(body, 'put', uid(ctx));
  }

  @Patch('audit')
  @RequirePerm('edit:settings', { action: 'settings.audit.update', resource: '*' })
  patchAudit(@Body() body: AuditSettingsDto, @Ctx() ctx: RequestContext): Promise<SettingsView['audit']> {
    return this.settings.updateAudit(body, 'patch', uid(ctx));
  }

  @Put('widget')
  @RequirePerm('edit:settings', { action: 'settings.widget.update', resource: '*' })
  putWidget(@Body() body: WidgetSettingsDto, @Ctx() ctx: RequestContext): Promise<WidgetSettings> {
    return this.settings.updateWidget(body, 'put', uid(ctx));
  }

  @Patch('widget')
  @RequirePerm('edit:settings', { action: 'settings.widget.update', resource: '*' })
  patchWidget(@Body() body: WidgetSettingsDto, @Ctx() ctx: RequestContext): Promise<WidgetSettings> {
    return this.settings.updateWidget(body, 'patch', uid(ctx));
  }
}
