import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { Icon, type IconName } from './icon';

/**
 * The one way a page says "nothing here", "not allowed" or "failed": a title, a sentence or two
 * (projected), and optional actions (projected with the `actions` attribute).
 */
@Component({
  selector: 'syl-empty-state',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Icon],
  template: `
    <section class="empty" [attr.role]="role()">
      @if (icon(); as name) {
        <syl-icon class="empty__icon" [name]="name" />
      }
      <h2 class="empty__title">{{ heading() }}</h2>
      <div class="empty__body"><ng-content /></div>
      <div class="empty__actions"><ng-content select="[actions]" /></div>
    </section>
  `,
  styles: `
    .empty {
      display: flex;
      flex-direction: column;
      align-items: center;
      text-align: center;
      gap: 8px;
      padding: 48px 24px;
      max-width: 560px;
      margin: 0 auto;
      color: var(--mat-sys-on-surface-variant);
    }
    .empty__icon {
      width: 48px;
      height: 48px;
      opacity: 0.7;
    }
    .empty__title {
      margin: 0;
      font: var(--mat-sys-title-large);
      color: var(--mat-sys-on-surface);
    }
    .empty__body {
      font: var(--mat-sys-body-large);
    }
    .empty__actions:empty {
      display: none;
    }
  `,
})
export class EmptyState {
  readonly heading = input.required<string>();
  readonly icon = input<IconName | null>(null);
  /** `alert` for failures a screen reader should announce; plain otherwise. */
  readonly role = input<'alert' | 'status' | null>(null);
}
