import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { liveResource, patchQuery, resourceError, valueOf } from '@sylvite/web-data-access';
import { Badge, EmptyState, ErrorState, Loading, OutcomeBadge, PageHeader, RelativeTime } from '@sylvite/web-ui';
import { debounceTime, Subject } from 'rxjs';
import { MinionsApi, type MinionsQuery } from './minions-api';

export const MINIONS_PAGE_SIZE = 100;

@Component({
  selector: 'syl-minions-page',
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
  ],
  template: `
    <syl-page-header heading="Minions" [subtitle]="subtitle()" />
    <section class="syl-filters" aria-label="Filters">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Search</mat-label>
        <input
          matInput
          type="search"
          [value]="q() ?? ''"
          (input)="typed.next($any($event.target).value)"
          placeholder="id, OS or IP"
          data-testid="minions-search"
        />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic" class="syl-filters__narrow">
        <mat-label>Status</mat-label>
        <mat-select [value]="statusFilter()" (valueChange)="setStatus($event)">
          <mat-option [value]="null">Any</mat-option>
          <mat-option value="online">Online</mat-option>
          <mat-option value="offline">Offline</mat-option>
        </mat-select>
      </mat-form-field>
    </section>

    @if (minions.hasValue()) {
      @let page = minions.value()!;
      @if (minions.isLoading()) {
        <mat-progress-bar mode="indeterminate" class="syl-refreshing" aria-label="Refreshing" />
      }
      @if (page.items.length === 0) {
        <syl-empty-state heading="No minions" icon="search">
          <p>{{ filtered() ? 'No minion matches these filters.' : 'Minions appear here once their keys are accepted.' }}</p>
        </syl-empty-state>
      } @else {
        <div class="syl-table-wrap">
          <table class="syl-table" data-testid="minions-table">
            <thead>
              <tr>
                <th scope="col">Minion</th>
                <th scope="col">Status</th>
                <th scope="col">OS</th>
                <th scope="col">IP</th>
                <th scope="col">Last seen</th>
                <th scope="col">Last job</th>
                <th scope="col">Last highstate</th>
              </tr>
            </thead>
            <tbody>
              @for (m of page.items; track m.id) {
                <tr [attr.data-minion]="m.id">
                  <td><a class="syl-mono" [routerLink]="['/minions', m.id]">{{ m.id }}</a></td>
                  <td>
                    <syl-badge [tone]="m.status === 'online' ? 'success' : 'neutral'">{{ m.status === 'online' ? 'Online' : 'Offline' }}</syl-badge>
                  </td>
                  <td>{{ m.os ?? '—' }} {{ m.os_release ?? '' }}</td>
                  <td class="syl-mono">{{ m.ip ?? '—' }}</td>
                  <td>
                    @if (m.last_seen) {
                      <syl-time [at]="m.last_seen" />
                    } @else {
                      —
                    }
                  </td>
                  <td>
                    @if (m.last_job; as job) {
                      <a class="syl-mono" [routerLink]="['/jobs', job.jid]">{{ job.fun ?? job.jid }}</a>
                    } @else {
                      —
                    }
                  </td>
                  <td>
                    @if (m.last_highstate?.outcome; as outcome) {
                      <syl-outcome-badge [outcome]="outcome" />
                    } @else {
                      —
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        @if (page.total > page.items.length || offset() > 0) {
          <nav class="syl-pager" aria-label="Pages">
            <span class="syl-muted">{{ page.offset + 1 }}–{{ page.offset + page.items.length }} of {{ page.total }}</span>
            <button mat-stroked-button type="button" [disabled]="offset() === 0" (click)="goTo(offset() - pageSize)">Previous</button>
            <button mat-stroked-button type="button" [disabled]="page.offset + page.items.length >= page.total" (click)="goTo(offset() + pageSize)">
              Next
            </button>
          </nav>
        }
      }
    } @else if (error(); as e) {
      <syl-error-state heading="Could not load minions" [message]="e.message" (retry)="minions.reload()" />
    } @else {
      <syl-loading label="Loading minions…" />
    }
  `,
})
export class MinionsPage {
  readonly q = input<string | undefined>();
  readonly status = input<string | undefined>();
  readonly page = input<string | undefined>();

  private readonly api = inject(MinionsApi);
  private readonly router = inject(Router);
  protected readonly pageSize = MINIONS_PAGE_SIZE;
  protected readonly typed = new Subject<string>();

  protected readonly statusFilter = computed<'online' | 'offline' | null>(() => {
    const s = this.status();
    return s === 'online' || s === 'offline' ? s : null;
  });
  protected readonly offset = computed(() => {
    const n = Number(this.page() ?? 0);
    return Number.isInteger(n) && n > 0 ? n : 0;
  });
  protected readonly filtered = computed(() => !!(this.q() || this.statusFilter()));
  protected readonly minions = liveResource({
    params: (): MinionsQuery => ({ q: this.q()?.trim() || null, status: this.statusFilter(), limit: MINIONS_PAGE_SIZE, offset: this.offset() }),
    stream: (query) => this.api.list(query),
    topics: ['minions'],
  });
  protected readonly error = resourceError(this.minions);
  private readonly current = valueOf(this.minions);
  protected readonly subtitle = computed(() => {
    const page = this.current();
    if (!page) return null;
    const total = page.total;
    return `${total.toLocaleString()} ${total === 1 ? 'minion' : 'minions'}`;
  });

  constructor() {
    this.typed
      .pipe(debounceTime(300), takeUntilDestroyed())
      .subscribe((text) => void patchQuery(this.router, { q: text.trim(), page: null }, { replaceUrl: true }));
  }

  protected setStatus(status: 'online' | 'offline' | null): void {
    void patchQuery(this.router, { status, page: null });
  }

  protected goTo(offset: number): void {
    void patchQuery(this.router, { page: Math.max(0, offset) || null });
  }
}
