import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ActivityEventDto, MeResponse } from '@sylvite/contracts';
import { AuthService } from './auth.service';
import { InvalidationHub } from './invalidation-hub';
import {
  ACTIVITY_STREAM_URL,
  EVENT_SOURCE_FACTORY,
  type EventSourceLike,
  FALLBACK_REFRESH_MS,
  LiveStreamService,
  READY_STATE,
  STREAM_PROBE,
} from './live-stream.service';
import { aMe } from './testing/me.factory';

class FakeEventSource implements EventSourceLike {
  readyState: number = READY_STATE.connecting;
  closed = false;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = READY_STATE.closed;
  }
  emit(type: string, data = ''): void {
    if (type === 'open') this.readyState = READY_STATE.open;
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data }));
  }
  fail(readyState: number): void {
    this.readyState = readyState;
    this.emit('error');
  }
}

function anEvent(overrides: Partial<ActivityEventDto> = {}): ActivityEventDto {
  return {
    id: '1',
    occurred_at: '2026-05-12T12:00:00.000Z',
    received_at: '2026-05-12T12:00:00.010Z',
    category: 'key',
    event_type: 'key.accept',
    outcome: 'accepted',
    minion_id: 'web01',
    jid: null,
    fun: null,
    initiator: null,
    target: null,
    target_type: null,
    retcode: null,
    duration_ms: null,
    summary: 'key accepted for web01',
    ...overrides,
  };
}

function setUp(probeStatus = 200) {
  const me = signal<MeResponse | null | undefined>(undefined);
  const sources: FakeEventSource[] = [];
  const sessionEnded = jest.fn();
  const probe = jest.fn(async () => probeStatus);
  TestBed.configureTestingModule({
    providers: [
      { provide: AuthService, useValue: { me, sessionEnded } },
      {
        provide: EVENT_SOURCE_FACTORY,
        useValue: (url: string) => {
          const source = new FakeEventSource(url);
          sources.push(source);
          return source;
        },
      },
      { provide: STREAM_PROBE, useValue: probe },
    ],
  });
  const live = TestBed.inject(LiveStreamService);
  const hub = TestBed.inject(InvalidationHub);
  const signIn = (value: MeResponse | null) => {
    me.set(value);
    TestBed.tick();
  };
  return { live, hub, sources, signIn, sessionEnded, probe };
}

describe('LiveStreamService', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should open one stream when a user who may see activity signs in', () => {
    const { live, sources, signIn } = setUp();
    expect(sources).toHaveLength(0);

    signIn(aMe({ role: 'viewer' }));
    expect(sources.map((s) => s.url)).toEqual([ACTIVITY_STREAM_URL]);
    expect(live.state()).toBe('connecting');

    sources[0].emit('open');
    expect(live.state()).toBe('open');
  });

  it('should not open a stream when the user holds no activity category', () => {
    const { live, sources, signIn } = setUp();
    signIn(aMe({ permissions: ['view:audit:*'] }));
    expect(sources).toHaveLength(0);
    expect(live.state()).toBe('closed');
  });

  it('should mark keys and activity stale when a key event arrives', () => {
    const { live, hub, sources, signIn } = setUp();
    signIn(aMe());
    sources[0].emit('open');

    const event = anEvent();
    sources[0].emit('activity', JSON.stringify(event));

    expect(live.lastEvent()).toEqual(event);
    expect(hub.version('keys')()).toBe(1);
    expect(hub.version('activity')()).toBe(1);
    expect(hub.version('jobs')()).toBe(0);
    expect(hub.version('minions')()).toBe(0);
  });

  it('should report the api side as reconnecting when a status event says so', () => {
    const { live, sources, signIn } = setUp();
    signIn(aMe());
    sources[0].emit('open');
    sources[0].emit('status', JSON.stringify({ state: 'reconnecting', last_event_at: '2026-05-12T12:00:00Z' }));
    expect(live.state()).toBe('reconnecting');
    expect(live.saltStatus()?.last_event_at).toBe('2026-05-12T12:00:00Z');
  });

  it('should say disabled and refresh every 30 s when the stream answers 503', async () => {
    const { live, hub, sources, signIn, probe } = setUp(503);
    signIn(aMe());
    sources[0].fail(READY_STATE.closed);
    await jest.advanceTimersByTimeAsync(0);
    TestBed.tick();

    expect(probe).toHaveBeenCalledWith(ACTIVITY_STREAM_URL);
    expect(live.state()).toBe('disabled');
    await jest.advanceTimersByTimeAsync(FALLBACK_REFRESH_MS);
    expect(hub.version('jobs')()).toBeGreaterThanOrEqual(1);
    expect(hub.version('activity')()).toBeGreaterThanOrEqual(1);
  });

  it('should let the browser retry and refetch everything once when the connection drops and comes back', async () => {
    const { live, hub, sources, signIn } = setUp();
    signIn(aMe());
    sources[0].emit('open');
    sources[0].fail(READY_STATE.connecting);
    expect(live.state()).toBe('reconnecting');

    sources[0].emit('open');
    expect(sources).toHaveLength(1);
    expect(live.state()).toBe('open');
    expect(hub.version('minions')()).toBe(1);
  });

  it('should end the session when the stream is refused with 401', async () => {
    const { sources, signIn, sessionEnded } = setUp(401);
    signIn(aMe());
    sources[0].fail(READY_STATE.closed);
    await jest.advanceTimersByTimeAsync(0);
    expect(sessionEnded).toHaveBeenCalledTimes(1);
  });

  it('should close the stream when the user signs out', () => {
    const { live, sources, signIn } = setUp();
    signIn(aMe());
    sources[0].emit('open');
    signIn(null);
    expect(sources[0].closed).toBe(true);
    expect(live.state()).toBe('closed');
  });
});
