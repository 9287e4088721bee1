import { computed, DestroyRef, effect, inject, Injectable, InjectionToken, signal, untracked } from '@angular/core';
import { ACTIVITY_CATEGORIES, type ActivityEventDto, type ActivityStreamStatus, decide, type MeResponse } from '@sylvite/contracts';
import { type Observable, Subject } from 'rxjs';
import { apiUrl } from './api-client';
import { AuthService } from './auth.service';
import { type DataTopic, InvalidationHub } from './invalidation-hub';

/** The browser's connection to the api, combined with what the api says of its own Salt connection. */
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'disabled' | 'closed';

export const ACTIVITY_STREAM_URL = apiUrl('/activity/stream');
export const FALLBACK_REFRESH_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

/** The part of EventSource the service uses, so tests can drive a fake. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}
/** EventSource.readyState values, spelled out so tests don't need the browser global. */
export const READY_STATE = { connecting: 0, open: 1, closed: 2 } as const;

export const EVENT_SOURCE_FACTORY = new InjectionToken<(url: string) => EventSourceLike>('EVENT_SOURCE_FACTORY', {
  providedIn: 'root',
  factory: () => (url) => new EventSource(url) as unknown as EventSourceLike,
});

/**
 * EventSource never tells why a connection was refused. When it gives up, one plain request to the
 * same URL reads the status (503 = stream disabled, 401 = signed out, 403 = no category) and is
 * dropped as soon as the headers arrive.
 */
export const STREAM_PROBE = new InjectionToken<(url: string) => Promise<number>>('STREAM_PROBE', {
  providedIn: 'root',
  factory: () => async (url) => {
    const abort = new AbortController();
    try {
      const response = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: abort.signal });
      return response.status;
    } catch {
      return 0;
    } finally {
      abort.abort();
    }
  },
});

const CATEGORY_TOPIC: Readonly<Record<ActivityEventDto['category'], DataTopic>> = {
  job: 'jobs',
  key: 'keys',
  minion: 'minions',
};

function mayStream(me: MeResponse): boolean {
  return ACTIVITY_CATEGORIES.some((category) => decide(me, `view:${category}`).allowed);
}

function backoff(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function parse<T>(event: MessageEvent<string>): T | null {
  try {
    return JSON.parse(event.data) as T;
  } catch {
    return null;
  }
}

/**
 * One live connection per tab to `/api/activity/stream`, open while someone is signed in.
 * Each activity event marks the matching data stale in the {@link InvalidationHub}; while the
 * stream is not flowing, every topic is marked stale every 30 s instead.
 */
@Injectable({ providedIn: 'root' })
export class LiveStreamService {
  private readonly auth = inject(AuthService);
  private readonly hub = inject(InvalidationHub);
  private readonly createSource = inject(EVENT_SOURCE_FACTORY);
  private readonly probe = inject(STREAM_PROBE);

  private readonly transport = signal<LiveState>('closed');
  private readonly upstream = signal<ActivityStreamStatus | null>(null);
  private readonly latest = signal<ActivityEventDto | null>(null);
  private readonly events = new Subject<ActivityEventDto>();

  private source: EventSourceLike | null = null;
  private userId: string | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private missedSomething = false;

  /** What the console shows: the browser is connected *and* the api hears Salt, or why not. */
  readonly state = computed<LiveState>(() => {
    const transport = this.transport();
    if (transport !== 'open') return transport;
    const upstream = this.upstream()?.state;
    if (upstream === 'disabled') return 'disabled';
    if (upstream === 'reconnecting') return 'reconnecting';
    return 'open';
  });
  /** The api's own view of its Salt connection (the heartbeat: when it last heard an event). */
  readonly saltStatus = this.upstream.asReadonly();
  readonly lastEvent = this.latest.asReadonly();
  /** Every event, in order; a signal would merge a burst into its last value. */
  readonly activity: Observable<ActivityEventDto> = this.events.asObservable();

  constructor() {
    effect(() => {
      const me = this.auth.me();
      untracked(() => this.follow(me));
    });
    effect(() => {
      const flowing = this.state() === 'open';
      untracked(() => this.setPolling(!flowing && this.userId !== null));
    });
    inject(DestroyRef).onDestroy(() => {
      this.stop();
      this.events.complete();
    });
  }

  private follow(me: MeResponse | null | undefined): void {
    const userId = me ? me.user.id : null;
    if (userId === this.userId) return;
    this.stop();
    this.userId = userId;
    if (!me) return;
    if (mayStream(me)) this.connect();
    else this.setPolling(true);
  }

  private connect(): void {
    this.clearRetry();
    // Retrying a disabled stream is routine; the page keeps saying "disabled" until it opens.
    if (this.transport() !== 'disabled') this.transport.set(this.missedSomething ? 'reconnecting' : 'connecting');
    const source = this.createSource(ACTIVITY_STREAM_URL);
    this.source = source;
    source.addEventListener('open', () => {
      if (source !== this.source) return;
      this.attempt = 0;
      this.transport.set('open');
      // A fresh EventSource does not replay what happened while it was away: refetch everything once.
      if (this.missedSomething) this.hub.invalidateAll();
      this.missedSomething = false;
    });
    source.addEventListener('activity', (event) => {
      if (source !== this.source) return;
      const activity = parse<ActivityEventDto>(event);
      if (activity) this.receive(activity);
    });
    source.addEventListener('status', (event) => {
      if (source !== this.source) return;
      const status = parse<ActivityStreamStatus>(event);
      if (status) this.upstream.set(status);
    });
    source.addEventListener('error', () => {
      if (source !== this.source) return;
      this.missedSomething = true;
      if (source.readyState === READY_STATE.connecting) {
        // The browser retries by itself and sends Last-Event-ID, so the api fills the gap.
        this.transport.set('reconnecting');
        return;
      }
      source.close();
      this.source = null;
      void this.diagnose();
    });
  }

  private receive(activity: ActivityEventDto): void {
    this.latest.set(activity);
    this.events.next(activity);
    const topic = CATEGORY_TOPIC[activity.category];
    if (topic) this.hub.invalidate('activity', topic);
    else this.hub.invalidate('activity');
  }

  private async diagnose(): Promise<void> {
    const userId = this.userId;
    const status = await this.probe(ACTIVITY_STREAM_URL);
    if (userId === null || userId !== this.userId || this.source) return;
    switch (status) {
      case 503:
        this.transport.set('disabled');
        this.scheduleConnect(FALLBACK_REFRESH_MS);
        return;
      case 401:
        this.stop();
        this.auth.sessionEnded();
        return;
      case 403:
        this.transport.set('closed');
        return;
      default:
        this.transport.set('reconnecting');
        this.scheduleConnect(backoff(this.attempt++));
    }
  }

  private scheduleConnect(delayMs: number): void {
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delayMs);
  }

  private setPolling(on: boolean): void {
    if (on && !this.pollTimer) {
      this.pollTimer = setInterval(() => this.hub.invalidateAll(), FALLBACK_REFRESH_MS);
    } else if (!on && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private stop(): void {
    this.clearRetry();
    this.setPolling(false);
    this.source?.close();
    this.source = null;
    this.userId = null;
    this.attempt = 0;
    this.missedSomething = false;
    this.upstream.set(null);
    this.latest.set(null);
    this.transport.set('closed');
  }
}
