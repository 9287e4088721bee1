import { Module } from '@nestjs/common';
import { FleetService } from './fleet/fleet.service';
import { JobsIndexService } from './jobs/jobs-index.service';
import { JobsRepository } from './jobs/jobs.repository';
import { JobsService } from './jobs/jobs.service';
import { KeysService } from './keys/keys.service';
import { MinionsService } from './minions/minions.service';
import { RunService } from './run/run.service';
import { JobsController, KeysController, MinionsController, RunController } from './salt.controllers';
import { TargetResolver } from './target/target-resolver.service';

/**
 * Salt operations through the console (issue 5): jobs, run, kill, keys, minions. The salt-api
 * client, the activity bus and the stream service come from the global SaltStreamModule;
 * settings, auth and audit are global too.
 */
@Module({
  controllers: [JobsController, RunController, KeysController, MinionsController],
  providers: [FleetService, TargetResolver, JobsRepository, JobsIndexService, JobsService, RunService, KeysService, MinionsService],
  exports: [JobsService, JobsIndexService, FleetService],
})
export class SaltModule {}
