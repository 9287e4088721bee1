import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, Injectable, input, signal } from '@angular/core';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago", "in 3 d"; past two weeks, the date. */
export function formatRelative(at: string | number | Date, now: number): string {
  const time = new Date(at).getTime();
  if (Number.isNaN(time)) return '';
  const ago = now - time;
  // A clock a little ahead of ours still reads as "now", not as the future.
  if (Math.abs(ago) < 10_000) return 'just now';
  if (Math.abs(ago) >= 14 * DAY) return new Date(time).toLocaleDateString(undefined, { dateStyle: 'medium' });
  const span = Math.abs(ago);
  const amount =
    span < MINUTE
      ? `${Math.floor(span / 1000)} s`
      : span < HOUR
        ? `${Math.floor(span / MINUTE)} min`
        : span < DAY
          ? `${Math.floor(span / HOUR)} h`
          : `${Math.floor(span / DAY)} d`;
  return ago > 0 ? `${amount} ago` : `in ${amount}`;
}

/** The exact local time with seconds and the zone, for tooltips and exports a person reads. */
export function formatExact(at: string | number | Date): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}

/** `1.2 s`, `340 ms`, `2 min 5 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / MINUTE);
  const seconds = Math.round((ms % MINUTE) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** One ticking clock for every relative time on screen, instead of a timer per row. */
@Injectable({ providedIn: 'root' })
export class Clock {
  private readonly current = signal(Date.now());
  readonly now = this.current.asReadonly();

  constructor() {
    const timer = setInterval(() => this.current.set(Date.now()), 15_000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  /** Moves the clock now (after data arrives), so a fresh row never reads "1 min ago". */
  tick(): void {
    this.current.set(Date.now());
  }
}

/** A time shown relative ("3 min ago") with the exact time on hover and in the markup. */
@Component({
  selector: 'syl-time',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<time [attr.datetime]="at()" [attr.title]="exact()">{{ relative() }}</time>`,
  styles: `
    :host {
      white-space: nowrap;
    }
  `,
})
export class RelativeTime {
  private readonly clock = inject(Clock);
  readonly at = input.required<string>();
  protected readonly exact = computed(() => formatExact(this.at()));
  protected readonly relative = computed(() => {
    // Read for the dependency only: the row re-renders on each tick, with the real time.
    this.clock.now();
    return formatRelative(this.at(), Date.now());
  });
}
