import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Subject } from 'rxjs';
import { InvalidationHub } from './invalidation-hub';
import { liveResource } from './live-resource';

@Component({ template: '' })
class Host {
  readonly answers: Subject<number>[] = [];
  readonly data = liveResource({
    params: () => true,
    stream: () => {
      const answer = new Subject<number>();
      this.answers.push(answer);
      return answer;
    },
    topics: ['jobs'],
  });
}

describe('liveResource', () => {
  it('should load once more after an in-flight load when its topic goes stale meanwhile', async () => {
    jest.useFakeTimers();
    try {
      const host = TestBed.createComponent(Host).componentInstance;
      const hub = TestBed.inject(InvalidationHub);
      TestBed.tick();
      expect(host.answers).toHaveLength(1);

      hub.invalidate('jobs');
      TestBed.tick();
      expect(host.answers).toHaveLength(1);

      host.answers[0].next(1);
      await jest.advanceTimersByTimeAsync(0);
      TestBed.tick();
      expect(host.answers).toHaveLength(2);
      expect(host.data.value()).toBe(1);

      host.answers[1].next(2);
      await jest.advanceTimersByTimeAsync(0);
      TestBed.tick();
      expect(host.answers).toHaveLength(2);
      expect(host.data.value()).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should reload in place, keeping the value, when its topic goes stale after a load', async () => {
    const host = TestBed.createComponent(Host).componentInstance;
    TestBed.tick();
    host.answers[0].next(7);
    await new Promise((resolve) => setTimeout(resolve, 0));
    TestBed.tick();

    TestBed.inject(InvalidationHub).invalidate('jobs');
    TestBed.tick();

    expect(host.answers).toHaveLength(2);
    expect(host.data.status()).toBe('reloading');
    expect(host.data.value()).toBe(7);
  });
});
