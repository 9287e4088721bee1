import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { JobMinionDto, StateResultDto } from '@sylvite/contracts';
import { Badge, formatDuration, JsonView, OutcomeBadge } from '@sylvite/web-ui';

/** Per-minion results of one job; each minion opens to its state results (or its return). */
@Component({
  selector: 'syl-job-minion-results',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Badge, OutcomeBadge, JsonView],
  template: `
    <div class="results" data-testid="job-results">
      @for (m of minions(); track m.id) {
        <details class="minion" [attr.data-minion]="m.id" [attr.data-state]="m.state">
          <summary class="minion__line">
            <span class="minion__id syl-mono">{{ m.id }}</span>
            <span>
              @switch (m.state) {
                @case ('pending') {
                  <syl-badge tone="info">Pending</syl-badge>
                }
                @case ('noreturn') {
                  <syl-outcome-badge outcome="noreturn" />
                }
                @default {
                  @if (m.outcome) {
                    <syl-outcome-badge [outcome]="m.outcome" />
                  } @else {
                    <syl-badge>Returned</syl-badge>
                  }
                }
              }
            </span>
            <span class="syl-muted">{{ m.retcode === null ? '' : 'retcode ' + m.retcode }}</span>
            <span class="syl-muted">{{ m.changes_count ? m.changes_count + ' changed' : '' }}</span>
            <span class="syl-muted">{{ duration(m.duration_ms) }}</span>
          </summary>
          <div class="minion__body">
            @if (m.states?.length) {
              <table class="syl-table states">
                <thead>
                  <tr>
                    <th scope="col">Result</th>
                    <th scope="col">State</th>
                    <th scope="col">Comment</th>
                    <th scope="col">Changes</th>
                    <th scope="col" class="num">Duration</th>
                  </tr>
                </thead>
                <tbody>
                  @for (s of m.states; track s.key) {
                    <tr>
                      <td><syl-badge [tone]="tone(s)">{{ resultText(s) }}</syl-badge></td>
                      <td>
                        <div class="syl-mono">{{ s.state }}.{{ s.function }}</div>
                        <div class="syl-muted">{{ s.id }}{{ s.name && s.name !== s.id ? ' · ' + s.name : '' }}</div>
                      </td>
                      <td class="comment">{{ text(s.comment) }}</td>
                      <td>
                        @if (hasChanges(s)) {
                          <syl-json [value]="s.changes" label="Changes" />
                        }
                      </td>
                      <td class="num">{{ duration(s.duration_ms) }}</td>
                    </tr>
                  }
                </tbody>
              </table>
            } @else if (m.return !== undefined) {
              <syl-json [value]="m.return" [label]="'Return of ' + m.id" />
            } @else if (m.state === 'pending') {
              <p class="syl-muted">No return yet.</p>
            } @else if (m.state === 'noreturn') {
              <p class="syl-muted">The minion did not return before the deadline.</p>
            } @else {
              <p class="syl-muted">No return details stored.</p>
            }
          </div>
        </details>
      }
    </div>
  `,
  styles: `
    .results {
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 12px;
      overflow: hidden;
    }
    .minion + .minion {
      border-top: 1px solid var(--mat-sys-outline-variant);
    }
    .minion__line {
      display: grid;
      grid-template-columns: minmax(140px, 2fr) 110px 1fr 1fr 1fr;
      align-items: center;
      gap: 12px;
      padding: 10px 16px;
      cursor: pointer;
    }
    .minion__line::marker {
      content: '';
    }
    .minion[open] > .minion__line {
      background: var(--mat-sys-surface-container-low);
    }
    .minion__body {
      padding: 12px 16px 16px;
      --syl-json-max-height: 240px;
    }
    .comment {
      max-width: 360px;
      white-space: pre-wrap;
    }
  `,
})
export class JobMinionResults {
  readonly minions = input.required<JobMinionDto[]>();
  protected readonly duration = formatDuration;

  protected tone(state: StateResultDto): 'danger' | 'warning' | 'success' | 'info' {
    if (state.result === false) return 'danger';
    if (state.result === null) return 'info';
    return this.hasChanges(state) ? 'warning' : 'success';
  }

  protected resultText(state: StateResultDto): string {
    if (state.result === false) return 'Failed';
    if (state.result === null) return this.hasChanges(state) ? 'Would change' : 'Skipped';
    return this.hasChanges(state) ? 'Changed' : 'OK';
  }

  protected hasChanges(state: StateResultDto): boolean {
    const c = state.changes;
    return !!c && typeof c === 'object' && Object.keys(c as object).length > 0;
  }

  protected text(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((v) => this.text(v)).join('\n');
    return JSON.stringify(value);
  }
}
