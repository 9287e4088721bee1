import { IncomingMessage, ServerResponse } from 'node:http';
import { EventBus, Frame, RETRY_LINE } from '../bus/event-bus';
import { AuthStore } from '../master/auth';
import { Logger } from '../util/logger';
import { httpDate } from '../util/time';
import { SERVER_HEADER } from './cherry';

interface StreamConn {
  id: number;
  res: ServerResponse;
  authToken: string;
  paused: boolean;
}

export interface StreamCounters {
  open: number;
  opened: number;
  framesWritten: number;
  bytesWritten: number;
  droppedWhilePaused: number;
  endedOnExpiry: number;
  droppedSlow: number;
}

/** Salt drops a subscriber that stops reading; here, one with this much unsent data. */
const MAX_UNSENT = 64 * 1024 * 1024;

/**
 * The `/events` responses currently open: each gets every bus event as two chunks, re-checks its
 * token after every event (3005+ behaviour: at most one more event after expiry, then EOF).
 */
export class EventStreamHub {
  private readonly conns = new Map<number, StreamConn>();
  private nextId = 1;
  /** New connections start paused too (a stream that never says anything). */
  private pauseNew = false;
  readonly counters: StreamCounters = { open: 0, opened: 0, framesWritten: 0, bytesWritten: 0, droppedWhilePaused: 0, endedOnExpiry: 0, droppedSlow: 0 };
  private readonly unsubscribe: () => void;

  constructor(
    bus: EventBus,
    private readonly auth: AuthStore,
    private readonly logger: Logger,
  ) {
    this.unsubscribe = bus.subscribe((frame) => this.broadcast(frame));
  }

  /** Starts a stream: headers as the `.http` transcript shows them, then `retry: 400\n`. */
  open(req: IncomingMessage, res: ServerResponse, authToken: string): void {
    const origin = req.headers['origin'];
    res.writeHead(200, 'OK', [
      'Content-Type', 'text/event-stream;charset=utf-8',
      'Cache-Control', 'no-cache',
      'Connection', 'keep-alive',
      'Access-Control-Allow-Origin', typeof origin === 'string' ? origin : '*',
      'Access-Control-Expose-Headers', 'GET, POST',
      'Access-Control-Allow-Credentials', 'true',
      'Vary', 'Accept-Encoding',
      'Transfer-Encoding', 'chunked',
      'Date', httpDate(Date.now()),
      'Server', SERVER_HEADER,
    ]);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const conn: StreamConn = { id: this.nextId++, res, authToken, paused: this.pauseNew };
    this.conns.set(conn.id, conn);
    this.counters.open = this.conns.size;
    this.counters.opened++;
    res.socket?.setNoDelay(true);
    this.write(conn, RETRY_LINE);
    const remove = (): void => {
      this.conns.delete(conn.id);
      this.counters.open = this.conns.size;
    };
    res.on('close', remove);
    req.on('close', remove);
    // A client that vanished mid-write is handled by 'close'; nothing to report.
    res.on('error', remove);
  }

  private write(conn: StreamConn, s: string): void {
    conn.res.write(s);
    this.counters.bytesWritten += Buffer.byteLength(s);
  }

  private broadcast(frame: Frame): void {
    for (const conn of this.conns.values()) {
      if (conn.res.destroyed || conn.res.writableEnded) {
        this.conns.delete(conn.id);
        continue;
      }
      if (conn.paused) {
        this.counters.droppedWhilePaused++;
        continue;
      }
      this.write(conn, frame.tagLine);
      this.write(conn, frame.dataLine);
      this.counters.framesWritten++;
      if (conn.res.writableLength > MAX_UNSENT) {
        this.logger.warn(`/events subscriber ${conn.id} stopped reading; dropping it`);
        this.counters.droppedSlow++;
        this.conns.delete(conn.id);
        conn.res.destroy();
        continue;
      }
      if (!this.auth.isValidStreamToken(conn.authToken)) {
        this.counters.endedOnExpiry++;
        this.conns.delete(conn.id);
        conn.res.end();
      }
    }
    this.counters.open = this.conns.size;
  }

  /**
   * Kills every stream. `reset` sends a TCP RST (a crashed salt-api or a proxy cutting the line),
   * `end` finishes the chunked body cleanly (a graceful salt-api stop).
   */
  dropAll(mode: 'reset' | 'end'): number {
    const n = this.conns.size;
    for (const conn of this.conns.values()) {
      if (mode === 'end') conn.res.end();
      else {
        const sock = conn.res.socket;
        if (sock && typeof sock.resetAndDestroy === 'function') sock.resetAndDestroy();
        else conn.res.destroy();
      }
    }
    this.conns.clear();
    this.counters.open = 0;
    return n;
  }

  /** Stops writing to the open streams (they stay open and silent); optionally to new ones too. */
  pause(includeNew: boolean): number {
    for (const conn of this.conns.values()) conn.paused = true;
    this.pauseNew = includeNew;
    return this.conns.size;
  }

  resume(): number {
    for (const conn of this.conns.values()) conn.paused = false;
    this.pauseNew = false;
    return this.conns.size;
  }

  get size(): number {
    return this.conns.size;
  }

  close(): void {
    this.unsubscribe();
    this.dropAll('end');
  }
}
