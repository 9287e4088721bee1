import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { RouterLink } from '@angular/router';
import { ACTIVITY_EVENT_TYPES, type ActivityEventDto } from '@sylvite/contracts';
import { liveResource, resourceError } from '@sylvite/web-data-access';
import { ErrorState, formatDuration, formatExact, Icon, JsonView, Loading, OutcomeBadge } from '@sylvite/web-ui';
import { ActivityApi } from './activity-api';

interface Fact {
  label: string;
  value: string;
}

/** The side sheet a row opens: every field of the event and the raw Salt event as stored. */
@Component({
  selector: 'syl-activity-detail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule, RouterLink, Icon, JsonView, Loading, ErrorState, OutcomeBadge],
  template: `
    <header class="head">
      <syl-outcome-badge [outcome]="event.outcome" />
      <h2 mat-dialog-title class="title">{{ event.summary }}</h2>
      <button mat-icon-button type="button" mat-dialog-close aria-label="Close details">
        <syl-icon name="close" />
      </button>
    </header>
    <mat-dialog-content class="body" data-testid="activity-detail">
      <dl class="facts">
        @for (fact of facts(); track fact.label) {
          <dt>{{ fact.label }}</dt>
          <dd>{{ fact.value }}</dd>
        }
      </dl>
      @if (event.jid) {
        <p>
          <a [routerLink]="['/jobs', event.jid]" (click)="close()">Open job {{ event.jid }}</a>
        </p>
      }
      <h3 class="section">Raw event</h3>
      @if (detail.hasValue()) {
        @let d = detail.value()!;
        @if (d.raw === null) {
          <p class="note">The raw payload is no longer kept ({{ d.raw_size }} bytes when received).</p>
        } @else {
          @if (d.raw_truncated) {
            <p class="note">Stored truncated: the event was {{ d.raw_size }} bytes; this is its beginning.</p>
          }
          @if (d.raw_value_trimmed) {
            <p class="note">Salt trimmed oversized values (VALUE_TRIMMED); the job's full return is in the jobs index.</p>
          }
          <syl-json [value]="d.raw" label="Raw Salt event" />
        }
      } @else if (error(); as e) {
        <syl-error-state heading="Could not load the raw event" [message]="e.message" (retry)="detail.reload()" />
      } @else {
        <syl-loading label="Loading the raw event…" />
      }
    </mat-dialog-content>
  `,
  styles: `
    .head {
      display: flex;
      align-items: center;
      gap: 12px;
      padding: 16px 8px 0 24px;
    }
    .title {
      flex: 1;
      margin: 0;
      padding: 0;
      font: var(--mat-sys-title-medium);
    }
    .title::before {
      display: none;
    }
    .body {
      max-height: none;
    }
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 16px;
      margin: 0 0 16px;
    }
    dt {
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
      word-break: break-word;
    }
    .section {
      font: var(--mat-sys-title-small);
      margin: 16px 0 8px;
    }
    .note {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ActivityDetail {
  private readonly api = inject(ActivityApi);
  private readonly ref = inject(MatDialogRef<ActivityDetail>);
  protected readonly event = inject<ActivityEventDto>(MAT_DIALOG_DATA);
  protected readonly detail = liveResource({ params: () => this.event.id, stream: (id) => this.api.detail(id) });
  protected readonly error = resourceError(this.detail);

  protected readonly facts = computed<Fact[]>(() => {
    const e = this.event;
    const rows: [string, string | number | null][] = [
      ['Kind', ACTIVITY_EVENT_TYPES.includes(e.event_type) ? e.event_type : String(e.event_type)],
      ['Occurred', formatExact(e.occurred_at)],
      ['Received', formatExact(e.received_at)],
      ['Minion', e.minion_id],
      ['Function', e.fun],
      ['Initiator', e.initiator],
      ['Target', e.target ? `${e.target}${e.target_type ? ` (${e.target_type})` : ''}` : null],
      ['Return code', e.retcode],
      ['Duration', formatDuration(e.duration_ms) || null],
      ['Job id', e.jid],
      ['Event id', e.id],
    ];
    return rows.filter(([, v]) => v !== null && v !== '').map(([label, value]) => ({ label, value: String(value) }));
  });

  protected close(): void {
    this.ref.close();
  }
}

/** Opens the detail as a sheet on the right, the list still visible beside it. */
export function openActivityDetail(dialog: MatDialog, event: ActivityEventDto): void {
  dialog.open(ActivityDetail, {
    data: event,
    position: { right: '0', top: '0' },
    height: '100vh',
    width: 'min(600px, 100vw)',
    maxWidth: '100vw',
    panelClass: 'syl-side-sheet',
    autoFocus: 'dialog',
    restoreFocus: true,
  });
}
