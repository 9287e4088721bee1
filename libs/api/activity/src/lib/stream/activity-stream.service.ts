import {
  BadRequestException, ForbiddenException, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, ServiceUnavailableException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Subscription } from 'rxjs';
import { APP_CONFIG, HttpErrorWithHeaders, type AppConfig, type AuthenticatedPrincipal } from '@sylvite/api-core';
import { coveredBy, PrincipalService, SessionsService } from '@sylvite/api-auth';
import { ActivityBus } from '@sylvite/api-salt-stream';
import { activityScopeFor, scopeCategories, scopeKey } from '../activity-scope';
import { compareIds, effectiveScope, filterKey, rowMatcher, type ActivityRow } from '../activity-filter';
import { ActivityRepository, type ActivityCriteria } from '../activity.repository';
import { ActivityService, filterOf } from '../activity.service';
import type { ActivityStreamQueryDto } from '../dto/activity-query.dto';
import { activityFrame, HEARTBEAT_FRAME, namedFrame, RETRY_FRAME } from './frames';
import { maxIdOf, minIdOf, StreamClient, type EndReason, type StreamGroup, type StreamLimits } from './stream-client';

export interface StreamTiming extends StreamLimits {
  /** Rows arriving within one tick go out as one write per client (PERFORMANCE.md "Fan-out"). */
  tickMs: number;
  heartbeatMs: number;
  /** Session liveness and the stream setting are re-checked this often… */
  watchMs: number;
  /** …and grants every this many watch rounds. */
  grantsEvery: number;
  catchUpPageRows: number;
}

export const DEFAULT_STREAM_TIMING: Readonly<StreamTiming> = {
  tickMs: 25,
  heartbeatMs: 15_000,
  watchMs: 5_000,
  grantsEvery: 3,
  catchUpPageRows: 500,
  maxUnsentBytes: 1024 * 1024,
  maxPendingRows: 10_000,
  drainTimeoutMs: 30_000,
};

const ROW_ID = /^\d{1,19}$/;

/**
 * The live feed's hub: one subscription to the ActivityBus, streams grouped by (scope, filter) so
 * each group's rows are filtered and joined once per tick, a heartbeat, and a watch that closes
 * streams whose session ended, whose grants changed, or when the stream is switched off.
 */
@Injectable()
export class ActivityStreamHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ActivityStreamHub.name);
  private readonly groups = new Map<string, StreamGroup>();
  private readonly perUser = new Map<string, number>();
  private timing: StreamTiming = { ...DEFAULT_STREAM_TIMING };
  private queue: ActivityRow[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private watchRound = 0;
  private watching = false;
  private statusFrame = '';
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly bus: ActivityBus,
    private readonly repo: ActivityRepository,
    private readonly activity: ActivityService,
    private readonly sessions: SessionsService,
    private readonly principals: PrincipalService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.subscriptions.push(
      // `batches` carries each dispatch's expected minions, which narrow grants are matched against.
      this.bus.batches.subscribe(({ rows, minions }) =>
        this.enqueue(rows.map((r, i): ActivityRow => (minions[i] ? { ...r, minions: minions[i] } : r))),
      ),
      this.bus.status.subscribe((status) => {
        this.statusFrame = namedFrame('status', status);
        this.broadcast(this.statusFrame);
      }),
    );
    this.startTimers();
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    this.stopTimers();
    for (const c of this.clients()) c.end('shutdown');
  }

  /** Tests shorten the intervals; production uses the defaults. */
  configure(timing: Partial<StreamTiming>): void {
    this.timing = { ...this.timing, ...timing };
    this.stopTimers();
    this.startTimers();
  }

  get clientCount(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.clients.size;
    return n;
  }

  /**
   * Checks (after the guard's 401): 503 stream disabled, 403 no category, 400 bad resume id,
   * 429 too many streams. Then headers, the status, and — subscribed before the database is read —
   * the catch-up from `Last-Event-ID` / `since_id`, then live rows.
   */
  async open(principal: AuthenticatedPrincipal, dto: ActivityStreamQueryDto, lastEventId: string | undefined, req: Request, res: Response): Promise<void> {
    if (!(await this.activity.streamEnabled())) {
      throw new ServiceUnavailableException('the event stream is disabled in Settings');
    }
    const scope = activityScopeFor(principal);
    if (scopeCategories(scope).length === 0) {
      throw new ForbiddenException('permission denied: needs view:job:*, view:key:* or view:minion:*');
    }
    const header = lastEventId?.trim();
    if (header && !ROW_ID.test(header)) throw new BadRequestException('Last-Event-ID: must be a row id');
    const resume = (header || dto.since_id)?.replace(/^0+(?=\d)/, '');
    const filter = filterOf(dto);
    const criteria: ActivityCriteria = { ...filter, scope: effectiveScope(scope, filter) };
    const max = this.config.stream.maxPerUser;
    if ((this.perUser.get(principal.userId) ?? 0) >= max) {
      throw new HttpErrorWithHeaders(429, `too many streams: at most ${max} per user`, { 'Retry-After': '5' });
    }

    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();

    const client = this.register(principal, scopeKey(scope), criteria, filterKey(filter), res);
    client.send(RETRY_FRAME + this.statusFrame);
    void this.catchUp(client, criteria, resume).catch((err: unknown) => {
      this.logger.error({ err }, 'stream catch-up failed; closing the stream');
      client.end('error');
    });
  }

  private async catchUp(client: StreamClient, criteria: ActivityCriteria, resume: string | undefined): Promise<void> {
    if (resume !== undefined) {
      const newest = await this.repo.maxId();
      // An id from a newer database (restored, reset) must not hide every live row below it.
      let after = compareIds(resume, newest) > 0 ? newest : resume;
      client.lastSent = after;
      while (!client.closed && scopeCategories(criteria.scope).length) {
        const rows = await this.repo.afterId(criteria, after, this.timing.catchUpPageRows);
        if (!(await client.sendPaced(rows))) return;
        if (rows.length < this.timing.catchUpPageRows) break;
        after = client.lastSent;
      }
    }
    client.goLive();
  }

  private register(principal: AuthenticatedPrincipal, grantKey: string, criteria: ActivityCriteria, fKey: string, res: Response): StreamClient {
    const key = `${scopeKey(criteria.scope)}|${fKey}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { key, matches: rowMatcher(criteria.scope, criteria), clients: new Set() };
      this.groups.set(key, group);
    }
    const client = new StreamClient(principal, grantKey, group, res, this.timing, (c, reason) => this.unregister(c, reason));
    group.clients.add(client);
    this.perUser.set(principal.userId, (this.perUser.get(principal.userId) ?? 0) + 1);
    return client;
  }

  private unregister(client: StreamClient, reason: string): void {
    const g = client.group;
    if (g.clients.delete(client) && g.clients.size === 0) this.groups.delete(g.key);
    const n = (this.perUser.get(client.principal.userId) ?? 1) - 1;
    if (n > 0) this.perUser.set(client.principal.userId, n);
    else this.perUser.delete(client.principal.userId);
    if (reason === 'slow_client') this.logger.warn({ user: client.principal.username }, 'activity stream cut off: client too slow');
  }

  private enqueue(rows: ActivityRow[]): void {
    if (!this.groups.size) return;
    for (const r of rows) this.queue.push(r);
    this.flushTimer ??= setTimeout(() => this.flush(), this.timing.tickMs);
  }

  /** Once per tick: each group filters the tick's rows once and shares one joined chunk. */
  flush(): void {
    this.flushTimer = null;
    const rows = this.queue;
    this.queue = [];
    if (!rows.length) return;
    for (const group of [...this.groups.values()]) {
      const matching = rows.filter(group.matches);
      if (!matching.length) continue;
      const minId = minIdOf(matching);
      const maxId = maxIdOf(matching);
      let chunk: string | null = null;
      const shared = () => (chunk ??= matching.map(activityFrame).join(''));
      for (const client of [...group.clients]) client.deliver(matching, shared, minId, maxId);
    }
  }

  private broadcast(frame: string): void {
    for (const c of this.clients()) c.send(frame);
  }

  private clients(): StreamClient[] {
    return [...this.groups.values()].flatMap((g) => [...g.clients]);
  }

  private startTimers(): void {
    this.heartbeatTimer = setInterval(() => this.broadcast(HEARTBEAT_FRAME), this.timing.heartbeatMs);
    this.watchTimer = setInterval(() => void this.watch(), this.timing.watchMs);
    this.heartbeatTimer.unref();
    this.watchTimer.unref();
  }

  private stopTimers(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.heartbeatTimer = this.watchTimer = this.flushTimer = null;
    this.queue = [];
  }

  /** Closes streams that may no longer run; one query per distinct session or user, not per stream. */
  private async watch(): Promise<void> {
    if (this.watching) return;
    const clients = this.clients();
    if (!clients.length) return;
    this.watching = true;
    try {
      if (!(await this.activity.streamEnabled())) return this.endAll(clients, 'stream_disabled');
      const sessionIds = [...new Set(clients.map((c) => c.principal.sessionId).filter((s): s is string => !!s))];
      const live = new Map<string, boolean>();
      for (const id of sessionIds) live.set(id, await this.sessions.isLive(id));
      for (const c of clients) {
        if (c.principal.sessionId && !live.get(c.principal.sessionId)) c.end('session_ended');
      }
      if (++this.watchRound % this.timing.grantsEvery === 0) await this.recheckGrants(clients.filter((c) => !c.closed));
    } catch (err) {
      this.logger.error({ err }, 'activity stream watch failed');
    } finally {
      this.watching = false;
    }
  }

  private async recheckGrants(clients: StreamClient[]): Promise<void> {
    const users = new Map<string, Awaited<ReturnType<PrincipalService['grantsFor']>>>();
    for (const id of new Set(clients.map((c) => c.principal.userId))) users.set(id, await this.principals.grantsFor(id));
    for (const c of clients) {
      const u = users.get(c.principal.userId);
      if (!u || u.disabled) {
        c.end('session_ended');
        continue;
      }
      let permissions = u.permissions;
      if (c.principal.via === 'token') {
        const issued = c.principal.tokenId ? await this.repo.tokenPermissions(c.principal.tokenId) : null;
        if (!issued) {
          c.end('session_ended');
          continue;
        }
        permissions = issued.filter((p) => coveredBy(p, u.permissions));
      }
      // Any change of what the caller may see ends the stream; the reconnect gets the new scope (or 403).
      if (scopeKey(activityScopeFor({ permissions })) !== c.grantKey) c.end('permissions_changed');
    }
  }

  private endAll(clients: StreamClient[], reason: EndReason): void {
    for (const c of clients) c.end(reason);
  }
}
