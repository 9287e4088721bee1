import { ConflictException, HttpException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { scopePatterns, type JobDetailDto, type JobsPageDto, type KillResponseDto, type Principal } from '@sylvite/contracts';
import type { RequestContext } from '@sylvite/api-core';
import { SaltApiClient, type SaltJobInfo } from '@sylvite/api-salt-stream';
import { JOBS_CURSOR_RE, type JobsQueryDto } from '../dto';
import { inMinionScope, type MinionScope } from '../target/target';
import { detailFromLive, detailFromStored, summaryFromRow } from './job-detail';
import { emptyFact, JID_RE, jidTime } from './job-facts';
import { JobsIndexService, liveFacts } from './jobs-index.service';
import { JobsRepository } from './jobs.repository';

export function minionScope(principal: Principal, permission: 'view:job' | 'view:key' | 'view:minion' | 'run:job'): MinionScope {
  const patterns = scopePatterns(principal, permission);
  return patterns.includes('*') ? '*' : patterns;
}

/** Jobs: the index (GET /api/jobs), one job live with a stored fallback, and killing one. */
@Injectable()
export class JobsService {
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly repo: JobsRepository,
    private readonly index: JobsIndexService,
    private readonly client: SaltApiClient,
  ) {}

  async list(principal: Principal, q: JobsQueryDto): Promise<JobsPageDto> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const cursor = q.before_cursor ? JOBS_CURSOR_RE.exec(q.before_cursor) : null;
    const rows = await this.repo.list(
      {
        fun: q.function, user: q.user, target: q.target, minion: q.minion, status: q.status, since: q.since, until: q.until,
        before: cursor ? { at: cursor[1], jid: cursor[2] } : undefined, limit: limit + 1, offset,
      },
      minionScope(principal, 'view:job'),
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(summaryFromRow),
      limit,
      offset,
      next_before_cursor: more && last ? `${last.started_at.toISOString()}|${last.jid}` : null,
    };
  }

  /**
   * Live from salt-api's job cache; Sylvite's index and activity store when salt-api cannot answer
   * (the reason rides along). 404 for a jid neither knows, or whose minions the caller may not see.
   */
  async detail(principal: Principal, jid: string, ctx?: RequestContext): Promise<JobDetailDto> {
    if (!JID_RE.test(jid)) throw new NotFoundException(`no job ${jid}`);
    let info: SaltJobInfo | null = null;
    let liveError: HttpException | null = null;
    try {
      info = (await this.client.jobInfo(jid)) ?? null;
      if (info?.Error !== undefined) info = null;
    } catch (err) {
      if (!(err instanceof HttpException)) throw err;
      liveError = err;
    }
    const stored = await this.repo.get(jid);
    let detail: JobDetailDto;
    if (info) {
      detail = detailFromLive(jid, info, stored?.job ?? null);
      // What salt-api just said also brings the index up to date (the only source with the stream off).
      void this.index.record(liveFacts(jid, info, stored?.job.started_at ?? null, Date.now())).catch(() => undefined);
    } else if (stored) {
      detail = detailFromStored(stored.job, stored.minions, await this.repo.storedReturns(jid), liveError?.message ?? null);
    } else if (liveError) {
      throw liveError;
    } else {
      throw new NotFoundException(`no job ${jid}`);
    }
    const scope = minionScope(principal, 'view:job');
    if (scope !== '*') {
      detail.minions = detail.minions.filter((m) => inMinionScope(scope, m.id));
      if (!detail.minions.length) throw new NotFoundException(`no job ${jid}`);
      detail.counts = {
        targeted: detail.minions.filter((m) => m.targeted).length,
        returned: detail.minions.filter((m) => m.state === 'returned').length,
        failed: detail.minions.filter((m) => m.outcome === 'failed').length,
        noreturn: detail.minions.filter((m) => m.state === 'noreturn').length,
        pending: detail.minions.filter((m) => m.state === 'pending').length,
      };
    }
    if (ctx) ctx.minions = detail.minions.map((m) => m.id);
    return detail;
  }

  /**
   * `saltutil.kill_job` to the minions still running the job (those that have not returned; all
   * of its minions when that is unknown). The audit row carries the killed job's jid.
   */
  async kill(ctx: RequestContext, jid: string): Promise<KillResponseDto> {
    if (!JID_RE.test(jid)) throw new NotFoundException(`no job ${jid}`);
    let expected: string[] = [];
    let returned = new Set<string>();
    // Without salt-api nothing can be killed: its 503/502 goes to the caller as it is.
    const info = await this.client.jobInfo(jid);
    if (info && info.Error === undefined) {
      expected = (info.Minions ?? []).filter((m): m is string => typeof m === 'string');
      returned = new Set(Object.keys(info.Result ?? {}));
    } else {
      const stored = await this.repo.get(jid);
      if (!stored) throw new NotFoundException(`no job ${jid}`);
      expected = stored.minions.filter((m) => m.expected).map((m) => m.minion_id);
      returned = new Set(stored.minions.filter((m) => m.outcome !== null && m.outcome !== 'noreturn').map((m) => m.minion_id));
    }
    ctx.saltJid = jid;
    const running = expected.filter((m) => !returned.has(m)).sort();
    ctx.minions = running;
    if (!running.length) throw new ConflictException(`job ${jid} is not running: every targeted minion has returned`);
    const principal = ctx.principal;
    const pub = await this.client.runAsync({
      tgt: running,
      tgt_type: 'list',
      fun: 'saltutil.kill_job',
      arg: [jid],
      metadata: { sylvite_request_id: ctx.requestId, sylvite_user: principal?.username ?? null, sylvite_kill: jid },
    });
    if (!pub.jid) throw new ConflictException(`job ${jid}: none of its minions (${running.join(', ')}) has an accepted key any more`);
    const fact = emptyFact(pub.jid, true);
    Object.assign(fact, {
      started_at: jidTime(pub.jid), fun: 'saltutil.kill_job', args: [jid], target: running.join(','), target_type: 'list',
      requested_by: principal?.username ?? null, request_id: ctx.requestId, expected: pub.minions ?? running,
    });
    await this.index.record([fact]).catch((err) => this.logger.warn(`kill job ${pub.jid} not indexed: ${(err as Error).message}`));
    return { jid, kill_jid: pub.jid, minions: pub.minions ?? running };
  }
}
