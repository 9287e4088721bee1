import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import type { ActivityEventDto, JobMinionDto, RunResponseDto } from '@sylvite/contracts';
import { liveResource, LiveStreamService, toApiError } from '@sylvite/web-data-access';
import { Badge, formatDuration, OutcomeBadge, PageHeader } from '@sylvite/web-ui';
import { filter, firstValueFrom } from 'rxjs';
import { JobsApi, TARGET_TYPES, type TargetType } from './jobs-api';
import { ArgumentsError, parseArguments } from './run-arguments';

const COMMON_FUNCTIONS = ['test.ping', 'state.apply', 'state.highstate', 'cmd.run', 'grains.items', 'pkg.upgrade', 'service.restart', 'saltutil.sync_all'];

interface MinionProgress {
  id: string;
  /** From the live stream, or the jobs index while the stream is off. */
  event: ActivityEventDto | null;
  result: JobMinionDto | null;
}

/** Dispatch a job (POST /api/run) and watch each minion's return arrive on the live stream. */
@Component({
  selector: 'syl-run-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatAutocompleteModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatProgressBarModule,
    PageHeader,
    Badge,
    OutcomeBadge,
  ],
  templateUrl: './run-page.html',
  styles: `
    .form {
      max-width: 880px;
    }
    .returns {
      margin-top: 24px;
    }
    .returns h2 {
      font: var(--mat-sys-title-medium);
      margin: 0 0 8px;
    }
    .return-value {
      max-width: 420px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
  `,
})
export class RunPage {
  private readonly api = inject(JobsApi);
  private readonly live = inject(LiveStreamService);

  protected readonly targetTypes = TARGET_TYPES;
  protected readonly form = inject(NonNullableFormBuilder).group({
    target: ['', Validators.required],
    target_type: ['glob' as TargetType],
    fun: ['test.ping', [Validators.required, Validators.pattern(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/)]],
    arguments: [''],
  });
  protected readonly functionSuggestions = signal(COMMON_FUNCTIONS);
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly dispatched = signal<RunResponseDto | null>(null);
  private readonly events = signal<ReadonlyMap<string, ActivityEventDto>>(new Map());

  /** The jobs index view of the same job: returns when the stream is off, and the return values. */
  protected readonly job = liveResource({
    params: () => this.dispatched()?.jid,
    stream: (jid) => this.api.detail(jid),
    topics: ['jobs'],
  });

  protected readonly progress = computed<MinionProgress[]>(() => {
    const run = this.dispatched();
    if (!run) return [];
    const events = this.events();
    const results = new Map((this.job.hasValue() ? (this.job.value()?.minions ?? []) : []).map((m) => [m.id, m]));
    const ids = [...new Set([...run.minions, ...events.keys()])];
    return ids.map((id) => ({ id, event: events.get(id) ?? null, result: results.get(id) ?? null }));
  });
  protected readonly returned = computed(() => this.progress().filter((p) => this.isDone(p)).length);

  constructor() {
    this.live.activity
      .pipe(
        filter((e) => e.jid !== null && e.jid === this.dispatched()?.jid && !!e.minion_id),
        filter((e) => e.event_type === 'job.ret' || e.event_type === 'job.noreturn'),
        takeUntilDestroyed(),
      )
      .subscribe((e) => this.events.update((m) => new Map(m).set(e.minion_id as string, e)));
  }

  protected suggest(text: string): void {
    const needle = text.toLowerCase();
    this.functionSuggestions.set(COMMON_FUNCTIONS.filter((f) => f.includes(needle)));
  }

  protected async run(): Promise<void> {
    if (this.form.invalid || this.submitting()) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    let parsed;
    try {
      parsed = parseArguments(value.arguments);
    } catch (e) {
      this.error.set(e instanceof ArgumentsError ? e.message : String(e));
      return;
    }
    this.submitting.set(true);
    this.error.set(null);
    this.dispatched.set(null);
    this.events.set(new Map());
    try {
      const run = await firstValueFrom(
        this.api.run({
          target: value.target.trim(),
          target_type: value.target_type,
          fun: value.fun.trim(),
          args: parsed.args,
          kwargs: parsed.kwargs,
        }),
      );
      this.dispatched.set(run);
    } catch (e) {
      this.error.set(toApiError(e).message);
    } finally {
      this.submitting.set(false);
    }
  }

  protected isDone(p: MinionProgress): boolean {
    return !!p.event || (!!p.result && p.result.state !== 'pending');
  }

  protected outcomeOf(p: MinionProgress) {
    if (p.event) return p.event.outcome;
    if (p.result?.state === 'noreturn') return 'noreturn' as const;
    return p.result?.outcome ?? null;
  }

  protected details(p: MinionProgress): string {
    const retcode = p.event?.retcode ?? p.result?.retcode ?? null;
    const duration = formatDuration(p.event?.duration_ms ?? p.result?.duration_ms ?? null);
    return [retcode === null ? '' : `retcode ${retcode}`, duration].filter(Boolean).join(' · ');
  }

  protected returnText(p: MinionProgress): string {
    const value = p.result?.return;
    if (value === undefined) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
