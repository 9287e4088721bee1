import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import { CreateDestinationDto, UpdateDestinationDto, type DestinationView } from './destinations.dto';
import { AuditDestinations } from './destinations.service';

const label = (req: { params: Record<string, string> }) => `audit_destination:${req.params['id'] ?? ''}`;

/**
 * SIEM forwarding destinations, for whoever may edit Settings (admins). Each change is audited by
 * the interceptor like any mutation, the secret redacted from the row by key name.
 */
@ApiTags('audit')
@Controller('admin/audit-destinations')
export class AuditDestinationsController {
  constructor(private readonly destinations: AuditDestinations) {}

  /** Every destination with its cursor, backlog and last error; never its secret. */
  @Get()
  @RequirePerm('edit:settings', { action: 'audit.destination.list', resource: '*' })
  list(): Promise<DestinationView[]> {
    return this.destinations.list();
  }

  @Get(':id')
  @RequirePerm('edit:settings', { action: 'audit.destination.read', resource: '*', label })
  get(@Param('id') id: string): Promise<DestinationView> {
    return this.destinations.get(id);
  }

  @Post()
  @RequirePerm('edit:settings', { action: 'audit.destination.create', resource: '*' })
  create(@Body() body: CreateDestinationDto, @Ctx() ctx: RequestContext): Promise<DestinationView> {
    return this.destinations.create(body, ctx.principal?.userId ?? null);
  }

  @Patch(':id')
  @RequirePerm('edit:settings', { action: 'audit.destination.update', resource: '*', label })
  update(@Param('id') id: string, @Body() body: UpdateDestinationDto): Promise<DestinationView> {
    return this.destinations.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePerm('edit:settings', { action: 'audit.destination.delete', resource: '*', label })
  async remove(@Param('id') id: string): Promise<void> {
    await this.destinations.remove(id);
  }
}
