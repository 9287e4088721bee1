import { BadRequestException, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import type { RequestContext } from '@sylvite/api-core';
import { SaltApiClient } from '@sylvite/api-salt-stream';
import type { RunResponseDto } from '@sylvite/contracts';
import type { RunJobDto } from '../dto';
import { emptyFact, jidTime, publishArgs } from '../jobs/job-facts';
import { JobsIndexService } from '../jobs/jobs-index.service';
import { minionScope } from '../jobs/jobs.service';
import { TargetResolver } from '../target/target-resolver.service';
import { expressionWithinGrant, listIds, outsideGrant, pcreRegExp, type TargetType } from '../target/target';

/** At most this many minions are named in a 403 (the audit row keeps the request itself). */
const NAMED_OUTSIDE = 10;

/**
 * POST /api/run. The audit row is already durable when this runs (the interceptor wrote it);
 * the target is resolved to its minions, refused when any lies outside the caller's run:job grant,
 * and published with `local_async`. A caller whose grant is narrower than `*` gets the expression
 * published as written only when it provably cannot reach beyond the grant; otherwise the checked
 * minion list is published, so a key accepted in between cannot widen the job.
 */
@Injectable()
export class RunService {
  private readonly logger = new Logger('SaltRun');

  constructor(
    private readonly client: SaltApiClient,
    private readonly resolver: TargetResolver,
    private readonly index: JobsIndexService,
  ) {}

  async run(ctx: RequestContext, dto: RunJobDto): Promise<RunResponseDto> {
    const principal = ctx.principal;
    if (!principal) throw new ForbiddenException('sign in required');
    const type: TargetType = dto.target_type ?? 'glob';
    const target = normalizeTarget(dto.target, type);
    const args = dto.args ?? [];
    const kwargs = dto.kwargs ?? {};

    const scope = minionScope(principal, 'run:job');
    let tgt: string | string[] = target;
    let tgtType: string = type;
    if (scope !== '*') {
      const minions = await this.resolver.resolve(target, type);
      ctx.minions = minions;
      if (!minions.length) throw new BadRequestException(`target: ${describe(target, type)} matches no minion`);
      const outside = outsideGrant(principal, 'run:job', minions);
      if (outside.length) {
        const named = outside.slice(0, NAMED_OUTSIDE).join(', ') + (outside.length > NAMED_OUTSIDE ? `, … (${outside.length} in all)` : '');
        throw new ForbiddenException(`permission denied: the target reaches minions outside your run:job grant: ${named}`);
      }
      if (!expressionWithinGrant(target, type, scope)) {
        tgt = minions;
        tgtType = 'list';
      }
    }

    const pub = await this.client.runAsync({
      tgt,
      tgt_type: tgtType,
      fun: dto.fun,
      arg: args,
      ...(Object.keys(kwargs).length ? { kwarg: kwargs } : {}),
      metadata: { sylvite_request_id: ctx.requestId, sylvite_user: principal.username },
    });
    if (!pub.jid) throw new BadRequestException(`target: ${describe(target, type)} matches no minion`);
    const minions = pub.minions ?? [];
    ctx.saltJid = pub.jid;
    ctx.minions = minions;
    if (scope !== '*') {
      const escaped = outsideGrant(principal, 'run:job', minions);
      // Cannot happen with a checked list; if salt ever widened a job, say so loudly.
      if (escaped.length) this.logger.error(`job ${pub.jid} reached minions outside ${principal.username}'s grant: ${escaped.join(', ')}`);
    }

    const fact = emptyFact(pub.jid, true);
    Object.assign(fact, {
      started_at: jidTime(pub.jid),
      fun: dto.fun,
      args: publishArgs(args, kwargs),
      target: Array.isArray(tgt) ? tgt.join(',') : tgt,
      target_type: tgtType,
      initiator: this.client.login?.user ?? null,
      requested_by: principal.username,
      request_id: ctx.requestId,
      expected: minions,
    });
    await this.index.record([fact]).catch((err) => this.logger.warn(`job ${pub.jid} not indexed yet: ${(err as Error).message}`));
    return { jid: pub.jid, minions };
  }
}

/** A list target becomes an array of ids; other targets must be one string; a pcre must compile. */
function normalizeTarget(raw: string | string[], type: TargetType): string | string[] {
  if (type === 'list') {
    const ids = listIds(raw);
    if (!ids.length) throw new BadRequestException('target: a list target needs at least one minion id');
    return ids;
  }
  if (Array.isArray(raw)) throw new BadRequestException(`target: an array is only allowed with target_type list, not ${type}`);
  const t = raw.trim();
  if (type === 'pcre' && !pcreRegExp(t)) throw new BadRequestException('target: not a valid regular expression');
  return t;
}

function describe(target: string | readonly string[], type: TargetType): string {
  const t = Array.isArray(target) ? target.join(',') : String(target);
  return `${type} "${t.length > 80 ? `${t.slice(0, 79)}…` : t}"`;
}
