import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditWriter } from './audit-writer.service';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditWriter, AuditRepository],
  exports: [AuditWriter, AuditRepository],
})
export class AuditModule {}
