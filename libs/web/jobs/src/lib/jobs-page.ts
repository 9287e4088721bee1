import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import type { JobStatus } from '@sylvite/contracts';
import { AuthService, liveResource, patchQuery, resourceError } from '@sylvite/web-data-access';
import { Badge, EmptyState, ErrorState, Icon, Loading, OutcomeBadge, PageHeader, RelativeTime } from '@sylvite/web-ui';
import { debounceTime, Subject } from 'rxjs';
import { JobsApi } from './jobs-api';

export const JOBS_PAGE_SIZE = 50;

type TextFilter = 'fn' | 'user' | 'target';

/** The jobs index, newest first, with filters in the URL and live refresh from job events. */
@Component({
  selector: 'syl-jobs-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatProgressBarModule,
    PageHeader,
    EmptyState,
    ErrorState,
    Loading,
    Badge,
    OutcomeBadge,
    RelativeTime,
    Icon,
  ],
  template: `
    <syl-page-header heading="Jobs" subtitle="Every Salt job the master published, newest first.">
      @if (canRun()) {
        <a mat-flat-button routerLink="/run"><syl-icon name="play" /> Run a job</a>
      }
    </syl-page-header>

    <section class="syl-filters" aria-label="Filters">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Function</mat-label>
        <input matInput [value]="fn() ?? ''" (input)="type('fn', $any($event.target).value)" placeholder="state.apply" />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Target</mat-label>
        <input matInput [value]="target() ?? ''" (input)="type('target', $any($event.target).value)" placeholder="web*" />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Salt user</mat-label>
        <input matInput [value]="user() ?? ''" (input)="type('user', $any($event.target).value)" />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic" class="syl-filters__narrow">
        <mat-label>Status</mat-label>
        <mat-select [value]="statusFilter()" (valueChange)="setStatus($event)">
          <mat-option [value]="null">Any</mat-option>
          <mat-option value="running">Running</mat-option>
          <mat-option value="complete">Complete</mat-option>
        </mat-select>
      </mat-form-field>
    </section>

    @if (jobs.isLoading() && jobs.hasValue()) {
      <mat-progress-bar mode="indeterminate" class="syl-refreshing" aria-label="Refreshing" />
    }
    @if (jobs.hasValue()) {
      @let page = jobs.value()!;
      @if (page.items.length === 0) {
        <syl-empty-state heading="No jobs" icon="search">
          <p>{{ filtered() ? 'No job matches these filters.' : 'Jobs appear here when the master publishes them.' }}</p>
        </syl-empty-state>
      } @else {
        <div class="syl-table-wrap">
          <table class="syl-table" data-testid="jobs-table">
            <thead>
              <tr>
                <th scope="col">Outcome</th>
                <th scope="col">Job</th>
                <th scope="col">Function</th>
                <th scope="col">Target</th>
                <th scope="col">User</th>
                <th scope="col" class="num">Returned</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              @for (job of page.items; track job.jid) {
                <tr [attr.data-jid]="job.jid">
                  <td>
                    @if (job.status === 'running') {
                      <syl-badge tone="info">Running</syl-badge>
                    } @else if (job.outcome) {
                      <syl-outcome-badge [outcome]="job.outcome" />
                    } @else {
                      <syl-badge>Complete</syl-badge>
                    }
                  </td>
                  <td><a class="syl-mono" [routerLink]="['/jobs', job.jid]">{{ job.jid }}</a></td>
                  <td class="syl-mono">{{ job.fun ?? '—' }}</td>
                  <td>{{ job.target ?? '—' }}</td>
                  <td>{{ job.requested_by ?? job.user ?? '—' }}</td>
                  <td class="num">
                    {{ job.counts.returned }} / {{ job.counts.targeted }}
                    @if (job.counts.failed) {
                      <span class="syl-danger"> · {{ job.counts.failed }} failed</span>
                    }
                  </td>
                  <td><syl-time [at]="job.started_at" /></td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        <nav class="syl-pager" aria-label="Pages">
          <button mat-stroked-button type="button" (click)="newer()" [disabled]="!before()">Newer</button>
          <button mat-stroked-button type="button" (click)="older(page.next_before_cursor)" [disabled]="!page.next_before_cursor">
            Older
          </button>
        </nav>
      }
    } @else if (error(); as e) {
      <syl-error-state heading="Could not load jobs" [message]="e.message" (retry)="jobs.reload()" />
    } @else {
      <syl-loading label="Loading jobs…" />
    }
  `,
})
export class JobsPage {
  readonly fn = input<string | undefined>();
  readonly user = input<string | undefined>();
  readonly target = input<string | undefined>();
  readonly status = input<string | undefined>();
  readonly before = input<string | undefined>();

  private readonly api = inject(JobsApi);
  private readonly router = inject(Router);
  private readonly auth = inject(AuthService);
  protected readonly canRun = computed(() => this.auth.can('run:job'));
  protected readonly statusFilter = computed<JobStatus | null>(() => {
    const s = this.status();
    return s === 'running' || s === 'complete' ? s : null;
  });
  protected readonly filtered = computed(() => !!(this.fn() || this.user() || this.target() || this.statusFilter()));

  protected readonly jobs = liveResource({
    params: () => ({
      function: this.fn() || null,
      user: this.user() || null,
      target: this.target() || null,
      status: this.statusFilter(),
      before_cursor: this.before() || null,
      limit: JOBS_PAGE_SIZE,
    }),
    stream: (query) => this.api.list(query),
    topics: ['jobs'],
  });
  protected readonly error = resourceError(this.jobs);

  /** Cursors of the pages before this one, so "Newer" walks back the way "Older" came. */
  private readonly history = signal<string[]>([]);
  private readonly typing = new Subject<{ key: TextFilter; value: string }>();

  constructor() {
    this.typing
      .pipe(debounceTime(300), takeUntilDestroyed())
      .subscribe(({ key, value }) => void patchQuery(this.router, { [key]: value.trim(), before: null }, { replaceUrl: true }));
  }

  protected type(key: TextFilter, value: string): void {
    this.history.set([]);
    this.typing.next({ key, value });
  }

  protected setStatus(status: JobStatus | null): void {
    this.history.set([]);
    void patchQuery(this.router, { status, before: null });
  }

  protected older(cursor: string | null): void {
    if (!cursor) return;
    this.history.update((h) => [...h, this.before() ?? '']);
    void patchQuery(this.router, { before: cursor });
  }

  protected newer(): void {
    const history = [...this.history()];
    const previous = history.pop() ?? null;
    this.history.set(history);
    void patchQuery(this.router, { before: previous || null });
  }
}
