import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditProjects } from './audit-projects';
import { AuditRepository } from './audit.repository';
import { AuditWriter } from './audit-writer.service';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditWriter, AuditRepository, AuditProjects],
  exports: [AuditWriter, AuditRepository, AuditProjects],
})
export class AuditModule {}
