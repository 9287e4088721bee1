import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { ACTIVITY_OUTCOME_LABELS, type ActivityOutcome } from '@sylvite/contracts';

export type BadgeTone = 'danger' | 'warning' | 'success' | 'info' | 'neutral';

/**
 * A short status word on a tinted pill. The tone carries the meaning for sighted users at a glance;
 * the word itself always says it too, so colour is never the only signal.
 */
@Component({
  selector: 'syl-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-tone]': 'tone()', class: 'badge' },
  template: `<ng-content />`,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      min-width: 72px;
      box-sizing: border-box;
      padding: 2px 8px;
      border-radius: 10px;
      font: var(--mat-sys-label-medium);
      white-space: nowrap;
      background: var(--mat-sys-surface-container-highest);
      color: var(--mat-sys-on-surface-variant);
    }
    :host([data-tone='danger']) {
      background: light-dark(#fde3e4, #5a1d22);
      color: light-dark(#9d1420, #ffb4b9);
    }
    :host([data-tone='warning']) {
      background: light-dark(#fff0cc, #4d3800);
      color: light-dark(#7a5200, #ffd57a);
    }
    :host([data-tone='success']) {
      background: light-dark(#dcf3e2, #133f23);
      color: light-dark(#17602f, #9fe0b2);
    }
    :host([data-tone='info']) {
      background: light-dark(#dde8fb, #1c3357);
      color: light-dark(#1f4e99, #b4ccf7);
    }
  `,
})
export class Badge {
  readonly tone = input<BadgeTone>('neutral');
}

/** Job and key outcomes share one palette wherever they appear (Activity, Jobs, Minions, Overview). */
export const OUTCOME_TONES: Readonly<Record<ActivityOutcome, BadgeTone>> = {
  failed: 'danger',
  changes: 'warning',
  would_change: 'warning',
  ok: 'success',
  dispatched: 'info',
  noreturn: 'danger',
  accepted: 'success',
  rejected: 'danger',
  deleted: 'neutral',
  pending: 'warning',
  denied: 'danger',
  online: 'success',
};

/** The badge of an activity or job outcome, with the console's one wording for it. */
@Component({
  selector: 'syl-outcome-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Badge],
  template: `<syl-badge [tone]="tone()" [attr.data-outcome]="outcome()">{{ label() }}</syl-badge>`,
})
export class OutcomeBadge {
  readonly outcome = input.required<ActivityOutcome>();
  protected readonly tone = computed(() => OUTCOME_TONES[this.outcome()] ?? 'neutral');
  protected readonly label = computed(() => ACTIVITY_OUTCOME_LABELS[this.outcome()] ?? this.outcome());
}
