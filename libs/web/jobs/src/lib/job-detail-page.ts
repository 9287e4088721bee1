import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { RouterLink } from '@angular/router';
import { AuthService, liveResource, resourceError, toApiError, valueOf } from '@sylvite/web-data-access';
import {
  Badge,
  ConfirmService,
  EmptyState,
  ErrorState,
  formatExact,
  Loading,
  OutcomeBadge,
  PageHeader,
} from '@sylvite/web-ui';
import { firstValueFrom } from 'rxjs';
import { JobsApi } from './jobs-api';
import { JobMinionResults } from './job-minion-results';

@Component({
  selector: 'syl-job-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatButtonModule,
    MatProgressBarModule,
    PageHeader,
    EmptyState,
    ErrorState,
    Loading,
    Badge,
    OutcomeBadge,
    JobMinionResults,
  ],
  template: `
    <p class="back"><a routerLink="/jobs">← All jobs</a></p>
    @if (job.hasValue()) {
      @let j = job.value()!;
      <syl-page-header [heading]="'Job ' + j.jid" [subtitle]="(j.fun ?? '') + (j.target ? ' on ' + j.target : '')">
        @if (j.status === 'running' && canKill()) {
          <button mat-stroked-button type="button" (click)="kill()" [disabled]="killing()" data-testid="kill-job">Kill job</button>
        }
      </syl-page-header>
      @if (job.isLoading()) {
        <mat-progress-bar mode="indeterminate" class="syl-refreshing" aria-label="Refreshing" />
      }
      <section class="syl-card" aria-label="Summary">
        <dl class="syl-facts">
          <dt>Status</dt>
          <dd>
            @if (j.status === 'running') {
              <syl-badge tone="info">Running</syl-badge>
            } @else if (j.outcome) {
              <syl-outcome-badge [outcome]="j.outcome" />
            } @else {
              <syl-badge>Complete</syl-badge>
            }
          </dd>
          <dt>Function</dt>
          <dd class="syl-mono">{{ j.fun ?? '—' }}</dd>
          @if (j.args?.length) {
            <dt>Arguments</dt>
            <dd class="syl-mono">{{ argsText() }}</dd>
          }
          <dt>Target</dt>
          <dd>{{ j.target ?? '—' }}{{ j.target_type ? ' (' + j.target_type + ')' : '' }}</dd>
          <dt>Salt user</dt>
          <dd>{{ j.user ?? '—' }}</dd>
          @if (j.requested_by) {
            <dt>Requested by</dt>
            <dd>{{ j.requested_by }}</dd>
          }
          <dt>Started</dt>
          <dd>{{ started() }}</dd>
          <dt>Minions</dt>
          <dd>
            {{ j.counts.returned }} of {{ j.counts.targeted }} returned
            @if (j.counts.failed) {
              · <span class="syl-danger">{{ j.counts.failed }} failed</span>
            }
            @if (j.counts.pending) {
              · {{ j.counts.pending }} pending
            }
            @if (j.counts.noreturn) {
              · {{ j.counts.noreturn }} did not return
            }
          </dd>
        </dl>
        @if (j.source === 'stored') {
          <p class="syl-muted" role="note">
            salt-api could not answer{{ j.live_error ? ': ' + j.live_error : '' }}. Showing what Sylvite stored.
          </p>
        }
      </section>
      @if (killMessage(); as m) {
        <p role="status">{{ m }}</p>
      }
      <h2 class="section">Results by minion</h2>
      @if (j.minions.length === 0) {
        <syl-empty-state heading="No minion targeted">
          <p>The master matched no minion for this target.</p>
        </syl-empty-state>
      } @else {
        <syl-job-minion-results [minions]="j.minions" />
      }
    } @else if (error(); as e) {
      @if (e.status === 404) {
        <syl-empty-state heading="Job not found" icon="search">
          <p>No job {{ jid() }} in the jobs index or on the master.</p>
        </syl-empty-state>
      } @else {
        <syl-error-state heading="Could not load the job" [message]="e.message" (retry)="job.reload()" />
      }
    } @else {
      <syl-loading label="Loading the job…" />
    }
  `,
  styles: `
    .back {
      margin: 0 0 8px;
    }
    .section {
      font: var(--mat-sys-title-medium);
      margin: 24px 0 12px;
    }
  `,
})
export class JobDetailPage {
  readonly jid = input.required<string>();

  private readonly api = inject(JobsApi);
  private readonly auth = inject(AuthService);
  private readonly confirmer = inject(ConfirmService);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly job = liveResource({ params: () => this.jid(), stream: (jid) => this.api.detail(jid), topics: ['jobs'] });
  protected readonly error = resourceError(this.job);
  protected readonly canKill = computed(() => this.auth.can('kill:job'));
  protected readonly killing = signal(false);
  protected readonly killMessage = signal<string | null>(null);
  private readonly current = valueOf(this.job);
  protected readonly started = computed(() => formatExact(this.current()?.started_at ?? ''));
  protected readonly argsText = computed(() => {
    const args = this.current()?.args;
    return args ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : '';
  });

  protected async kill(): Promise<void> {
    const jid = this.jid();
    const ok = await this.confirmer.confirm({
      title: 'Kill this job?',
      message: `Salt asks every minion still running job ${jid} to stop it. Work already done is not undone.`,
      confirmLabel: 'Kill job',
      tone: 'danger',
    });
    if (!ok) return;
    this.killing.set(true);
    try {
      const result = await firstValueFrom(this.api.kill(jid));
      this.killMessage.set(`Kill requested on ${result.minions.length} minion(s) (job ${result.kill_jid}).`);
      this.job.reload();
    } catch (error) {
      this.snackBar.open(toApiError(error).message, 'Dismiss', { duration: 8000 });
    } finally {
      this.killing.set(false);
    }
  }
}
