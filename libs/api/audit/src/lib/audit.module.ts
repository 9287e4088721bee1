import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditProjects } from './audit-projects';
import { AuditRepository } from './audit.repository';
import { AuditWriter } from './audit-writer.service';
import { AuditChain } from './chain/audit-chain.service';
import { AuditChainJobs } from './chain/audit-chain-jobs.service';
import { AuditVerifyController } from './chain/audit-verify.controller';
import { AuditVerifyService } from './chain/audit-verify.service';
import { AuditExportController } from './export/audit-export.controller';
import { AuditExportService } from './export/audit-export.service';
import { AuditDestinationsController } from './forward/destinations.controller';
import { AuditDestinations } from './forward/destinations.service';
import { AuditForwarder } from './forward/forwarder.service';
import { AuditRetentionController } from './retention/audit-retention.controller';
import { AuditRetentionService } from './retention/audit-retention.service';

/** Chain, verification, export, retention and forwarding (issue 8). */
const GUARANTEES = [AuditChain, AuditChainJobs, AuditVerifyService, AuditExportService, AuditRetentionService, AuditDestinations, AuditForwarder];

@Global()
@Module({
  controllers: [AuditController, AuditVerifyController, AuditExportController, AuditRetentionController, AuditDestinationsController],
  providers: [AuditWriter, AuditRepository, AuditProjects, ...GUARANTEES],
  exports: [AuditWriter, AuditRepository, AuditProjects, ...GUARANTEES],
})
export class AuditModule {}
