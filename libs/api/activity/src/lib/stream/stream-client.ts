import type { Response } from 'express';
import type { AuthenticatedPrincipal } from '@sylvite/api-core';
import { compareIds, type ActivityRow } from '../activity-filter';
import { activityFrame, namedFrame } from './frames';

/** Streams that receive exactly the same rows: one filtered list and one joined chunk per tick. */
export interface StreamGroup {
  key: string;
  matches: (row: ActivityRow) => boolean;
  clients: Set<StreamClient>;
}

export interface StreamLimits {
  /** Unsent bytes (Node's buffer + the socket's) past which a client is cut off. */
  maxUnsentBytes: number;
  /** Live rows held for a client still catching up from the database. */
  maxPendingRows: number;
  /** How long a catching-up client may take to drain a page before it is cut off. */
  drainTimeoutMs: number;
}

export type EndReason = 'session_ended' | 'permissions_changed' | 'stream_disabled' | 'shutdown' | 'error';

/**
 * One browser connection. Catching up, it holds live rows aside; live, it writes what the hub hands
 * it, never a row at or below the last id sent, and never buffers past the limit: a client that cannot
 * keep up is disconnected and resumes from the database with Last-Event-ID.
 */
export class StreamClient {
  lastSent = '0';
  live = false;
  closed = false;
  private pending: ActivityRow[] = [];

  constructor(
    readonly principal: AuthenticatedPrincipal,
    /** scopeKey() of everything the principal could see when it connected (grants re-checks compare it). */
    readonly grantKey: string,
    readonly group: StreamGroup,
    private readonly res: Response,
    private readonly limits: StreamLimits,
    private readonly onClosed: (client: StreamClient, reason: string) => void,
  ) {
    res.on('close', () => this.dispose('client_closed'));
  }

  /**
   * Writes one coalesced chunk; false when the client is cut off. What counts is the backlog left
   * from earlier ticks: one large burst is not slowness, a backlog that does not drain is.
   */
  send(chunk: string): boolean {
    if (this.closed) return false;
    if (this.res.writableLength > this.limits.maxUnsentBytes) return this.cut('slow_client');
    this.res.write(chunk);
    return true;
  }

  /** Live rows: only those above the last id sent, so a row published twice is written once. */
  deliver(rows: readonly ActivityRow[], shared: () => string, minId: string, maxId: string): void {
    if (this.closed) return;
    if (!this.live) {
      this.pending.push(...rows);
      if (this.pending.length > this.limits.maxPendingRows) this.cut('slow_client');
      return;
    }
    if (compareIds(minId, this.lastSent) > 0) {
      if (this.send(shared())) this.lastSent = maxId;
      return;
    }
    this.sendFresh(rows);
  }

  /** Catch-up pages: waits for the socket to drain (bounded) so history never piles up in memory. */
  async sendPaced(rows: readonly ActivityRow[]): Promise<boolean> {
    if (!rows.length || this.closed) return !this.closed;
    const chunk = rows.map(activityFrame).join('');
    if (!this.send(chunk)) return false;
    this.lastSent = maxIdOf(rows, this.lastSent);
    if (this.res.writableLength <= this.limits.maxUnsentBytes / 4) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        resolve(ok && !this.closed);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(this.cut('slow_client')), this.limits.drainTimeoutMs);
      this.res.on('drain', onDrain);
      this.res.once('close', onClose);
    });
  }

  /** After the catch-up: the rows held aside that the database did not already give, then live. */
  goLive(): void {
    if (this.closed) return;
    const held = this.pending;
    this.pending = [];
    this.live = true;
    this.sendFresh(held);
  }

  /** A clean end the client can read (it reconnects and learns why from the status code). */
  end(reason: EndReason): void {
    if (this.closed) return;
    this.dispose(reason);
    this.res.write(namedFrame('end', { reason }));
    this.res.end();
  }

  private sendFresh(rows: readonly ActivityRow[]): void {
    const fresh = rows.filter((r) => compareIds(r.id, this.lastSent) > 0);
    if (!fresh.length) return;
    if (this.send(fresh.map(activityFrame).join(''))) this.lastSent = maxIdOf(fresh, this.lastSent);
  }

  private cut(reason: string): false {
    if (!this.closed) {
      this.dispose(reason);
      this.res.destroy();
    }
    return false;
  }

  private dispose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.onClosed(this, reason);
  }
}

export function maxIdOf(rows: readonly { id: string }[], floor = '0'): string {
  let max = floor;
  for (const r of rows) if (compareIds(r.id, max) > 0) max = r.id;
  return max;
}

export function minIdOf(rows: readonly { id: string }[]): string {
  let min = rows[0].id;
  for (const r of rows) if (compareIds(r.id, min) < 0) min = r.id;
  return min;
}
