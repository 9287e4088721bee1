import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { liveResource, resourceError } from '@sylvite/web-data-access';
import { Badge, EmptyState, ErrorState, JsonView, Loading, OutcomeBadge, PageHeader, RelativeTime } from '@sylvite/web-ui';
import { MinionsApi } from './minions-api';

@Component({
  selector: 'syl-minion-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MatProgressBarModule, PageHeader, EmptyState, ErrorState, Loading, Badge, OutcomeBadge, RelativeTime, JsonView],
  template: `
    <p class="back"><a routerLink="/minions">← All minions</a></p>
    @if (minion.hasValue()) {
      @let m = minion.value()!;
      <syl-page-header [heading]="m.id" [subtitle]="(m.os ?? '') + ' ' + (m.os_release ?? '')" />
      @if (minion.isLoading()) {
        <mat-progress-bar mode="indeterminate" class="syl-refreshing" aria-label="Refreshing" />
      }
      <section class="syl-card" aria-label="Summary">
        <dl class="syl-facts">
          <dt>Status</dt>
          <dd>
            <syl-badge [tone]="m.status === 'online' ? 'success' : 'neutral'">{{ m.status === 'online' ? 'Online' : 'Offline' }}</syl-badge>
          </dd>
          <dt>Key</dt>
          <dd>{{ m.key_state }}</dd>
          <dt>IP</dt>
          <dd class="syl-mono">{{ m.ip ?? '—' }}</dd>
          <dt>Last seen</dt>
          <dd>
            @if (m.last_seen) {
              <syl-time [at]="m.last_seen" />
            } @else {
              never
            }
          </dd>
          <dt>Last highstate</dt>
          <dd>
            @if (m.last_highstate; as hs) {
              @if (hs.outcome) {
                <syl-outcome-badge [outcome]="hs.outcome" />
              }
              <a [routerLink]="['/jobs', hs.jid]"> <syl-time [at]="hs.started_at" /></a>
            } @else {
              none recorded
            }
          </dd>
        </dl>
      </section>
      <section class="syl-card" aria-labelledby="recent-jobs">
        <h2 id="recent-jobs">Recent jobs</h2>
        @if (m.recent_jobs.length === 0) {
          <p class="syl-muted">No job recorded for this minion.</p>
        } @else {
          <table class="syl-table">
            <thead>
              <tr>
                <th scope="col">Outcome</th>
                <th scope="col">Function</th>
                <th scope="col">Job</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              @for (job of m.recent_jobs; track job.jid) {
                <tr>
                  <td>
                    @if (job.outcome) {
                      <syl-outcome-badge [outcome]="job.outcome" />
                    }
                  </td>
                  <td class="syl-mono">{{ job.fun ?? '—' }}</td>
                  <td><a class="syl-mono" [routerLink]="['/jobs', job.jid]">{{ job.jid }}</a></td>
                  <td><syl-time [at]="job.started_at" /></td>
                </tr>
              }
            </tbody>
          </table>
        }
      </section>
      <section class="syl-card" aria-labelledby="grains">
        <h2 id="grains">Grains</h2>
        @if (m.grains) {
          <syl-json [value]="m.grains" label="Grains" />
        } @else {
          <p class="syl-muted">The master did not return grains for this minion (it may be offline).</p>
        }
      </section>
    } @else if (error(); as e) {
      @if (e.status === 404) {
        <syl-empty-state heading="Minion not found" icon="search">
          <p>No minion {{ id() }} is known to the master.</p>
        </syl-empty-state>
      } @else {
        <syl-error-state heading="Could not load the minion" [message]="e.message" (retry)="minion.reload()" />
      }
    } @else {
      <syl-loading label="Loading the minion…" />
    }
  `,
  styles: `
    .back {
      margin: 0 0 8px;
    }
  `,
})
export class MinionDetailPage {
  readonly id = input.required<string>();
  private readonly api = inject(MinionsApi);
  protected readonly minion = liveResource({ params: () => this.id(), stream: (id) => this.api.detail(id), topics: ['minions', 'jobs'] });
  protected readonly error = resourceError(this.minion);
}
