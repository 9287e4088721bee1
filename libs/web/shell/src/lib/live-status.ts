import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatTooltipModule } from '@angular/material/tooltip';
import { type LiveState, LiveStreamService } from '@sylvite/web-data-access';

const LABELS: Readonly<Record<LiveState, string>> = {
  open: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  disabled: 'Live updates off',
  closed: 'Not live',
};

const EXPLANATIONS: Readonly<Record<LiveState, string>> = {
  open: 'Pages update as events arrive.',
  connecting: 'Opening the live event stream.',
  reconnecting: 'The live stream dropped; reconnecting. Pages refresh every 30 s meanwhile.',
  disabled: 'The Salt event stream is turned off in Settings. Pages refresh every 30 s.',
  closed: 'No live stream for this account. Pages refresh every 30 s.',
};

/** The toolbar's heartbeat: whether this tab hears the fleet live, and when Salt last spoke. */
@Component({
  selector: 'syl-live-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTooltipModule, DatePipe],
  template: `
    <span
      class="live"
      [attr.data-state]="state()"
      role="status"
      tabindex="0"
      [matTooltip]="tooltip()"
      [attr.aria-label]="label() + '. ' + tooltip()"
    >
      <span class="live__dot" aria-hidden="true"></span>
      <span class="live__label">{{ label() }}</span>
      @if (lastEventAt(); as at) {
        <span class="live__last">· last event {{ at | date: 'shortTime' }}</span>
      }
    </span>
  `,
  styles: `
    .live {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 4px 10px;
      border-radius: 16px;
      font: var(--mat-sys-label-medium);
      background: var(--mat-sys-surface-container-high);
      color: var(--mat-sys-on-surface);
      white-space: nowrap;
    }
    .live__dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: var(--mat-sys-outline);
    }
    .live[data-state='open'] .live__dot {
      background: #2e9d4f;
    }
    .live[data-state='reconnecting'] .live__dot,
    .live[data-state='connecting'] .live__dot {
      background: #d68a00;
    }
    .live[data-state='disabled'] .live__dot {
      background: var(--mat-sys-error);
    }
    .live__last {
      color: var(--mat-sys-on-surface-variant);
    }
    @media (max-width: 1100px) {
      .live__last {
        display: none;
      }
    }
  `,
})
export class LiveStatus {
  private readonly live = inject(LiveStreamService);
  protected readonly state = this.live.state;
  protected readonly label = computed(() => LABELS[this.state()]);
  protected readonly lastEventAt = computed(() => this.live.saltStatus()?.last_event_at ?? null);
  protected readonly tooltip = computed(() => EXPLANATIONS[this.state()]);
}
