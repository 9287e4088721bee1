import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import type { ActivityEventDto } from '@sylvite/contracts';
import { formatDuration, OutcomeBadge, RelativeTime } from '@sylvite/web-ui';

/**
 * One activity event as a row the keyboard can reach: outcome badge, when, what (the summary),
 * and the facts a person scans for — minion, function, who ran it against what, how long it took.
 */
@Component({
  selector: 'syl-activity-row',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [OutcomeBadge, RelativeTime],
  template: `
    <button
      type="button"
      class="row"
      [class.row--compact]="compact()"
      [attr.data-event-id]="event().id"
      [attr.data-event-type]="event().event_type"
      (click)="opened.emit(event())"
    >
      <syl-outcome-badge class="row__badge" [outcome]="event().outcome" />
      <span class="row__main">
        <span class="row__summary">{{ event().summary }}</span>
        @if (!compact() && facts(); as text) {
          <span class="row__facts">{{ text }}</span>
        }
      </span>
      <syl-time class="row__time" [at]="event().occurred_at" />
    </button>
  `,
  styles: `
    :host {
      display: block;
    }
    .row {
      display: grid;
      grid-template-columns: auto minmax(0, 1fr) auto;
      align-items: center;
      gap: 12px;
      width: 100%;
      padding: 10px 12px;
      border: 0;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
      background: transparent;
      color: inherit;
      font: inherit;
      text-align: left;
      cursor: pointer;
    }
    .row:hover {
      background: var(--mat-sys-surface-container-low);
    }
    .row:focus-visible {
      outline-offset: -2px;
    }
    .row--compact {
      padding: 6px 4px;
      gap: 8px;
    }
    .row__main {
      display: flex;
      flex-direction: column;
      min-width: 0;
      gap: 2px;
    }
    .row__summary {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font: var(--mat-sys-body-medium);
    }
    .row__facts {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .row__time {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ActivityRow {
  readonly event = input.required<ActivityEventDto>();
  /** The Overview widget's dense form: badge, summary, time. */
  readonly compact = input(false);
  readonly opened = output<ActivityEventDto>();

  protected readonly facts = computed(() => factsOf(this.event()));
}

/** "web01 · state.apply · alice → web* · 1.2 s · jid 2026…" with whatever the event carries. */
export function factsOf(event: ActivityEventDto): string {
  const parts: string[] = [];
  if (event.minion_id) parts.push(event.minion_id);
  if (event.fun) parts.push(event.fun);
  if (event.initiator || event.target) {
    parts.push([event.initiator, event.target].filter(Boolean).join(' → '));
  }
  if (event.retcode !== null && event.retcode !== 0) parts.push(`retcode ${event.retcode}`);
  const duration = formatDuration(event.duration_ms);
  if (duration) parts.push(duration);
  if (event.jid) parts.push(`jid ${event.jid}`);
  return parts.join(' · ');
}
