import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { EmptyState } from './empty-state';

/** What a page shows while its first answer is on the way. */
@Component({
  selector: 'syl-loading',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatProgressSpinnerModule],
  template: `
    <div class="loading" role="status" aria-live="polite">
      <mat-progress-spinner mode="indeterminate" diameter="32" aria-hidden="true" />
      <span>{{ label() }}</span>
    </div>
  `,
  styles: `
    .loading {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 12px;
      padding: 48px 16px;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class Loading {
  readonly label = input('Loading…');
}

/** A failed load, said plainly, with a way to try again. */
@Component({
  selector: 'syl-error-state',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [EmptyState, MatButtonModule],
  template: `
    <syl-empty-state [heading]="heading()" icon="warning" role="alert">
      <p>{{ message() }}</p>
      <button mat-stroked-button type="button" actions (click)="retry.emit()">Try again</button>
    </syl-empty-state>
  `,
})
export class ErrorState {
  readonly heading = input('Could not load this');
  readonly message = input.required<string>();
  readonly retry = output<void>();
}
