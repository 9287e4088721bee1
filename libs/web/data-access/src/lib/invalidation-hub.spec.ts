import { TestBed } from '@angular/core/testing';
import { INVALIDATION_WINDOW_MS, InvalidationHub } from './invalidation-hub';

describe('InvalidationHub', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should fire at once, then once more per window when a burst arrives', () => {
    const hub = TestBed.inject(InvalidationHub);
    const fired: string[] = [];
    hub.changes('jobs').subscribe(() => fired.push('jobs'));

    for (let i = 0; i < 500; i++) hub.invalidate('jobs');
    expect(hub.version('jobs')()).toBe(1);

    jest.advanceTimersByTime(INVALIDATION_WINDOW_MS);
    expect(hub.version('jobs')()).toBe(2);
    jest.advanceTimersByTime(INVALIDATION_WINDOW_MS * 3);
    expect(hub.version('jobs')()).toBe(2);
    expect(fired).toHaveLength(2);
  });

  it('should keep topics apart when only one is invalidated', () => {
    const hub = TestBed.inject(InvalidationHub);
    hub.invalidate('keys');
    expect(hub.version('keys')()).toBe(1);
    expect(hub.version('jobs')()).toBe(0);
  });
});
