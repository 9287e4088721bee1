import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router } from '@angular/router';
import type { ProjectDto } from '@sylvite/contracts';
import { AuthService, liveResource, patchQuery, resourceError, valueOf } from '@sylvite/web-data-access';
import { Badge, ConfirmService, EmptyState, ErrorState, Icon, Loading, PageHeader } from '@sylvite/web-ui';
import { of } from 'rxjs';
import { AdminApi, splitList } from './admin-api';
import { Feedback } from './feedback';
import { ProjectMembers } from './project-members';

@Component({
  selector: 'syl-projects-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSlideToggleModule,
    PageHeader,
    EmptyState,
    ErrorState,
    Loading,
    Badge,
    Icon,
    ProjectMembers,
  ],
  templateUrl: './projects-page.html',
  styles: `
    .layout {
      display: grid;
      grid-template-columns: minmax(220px, 300px) minmax(0, 1fr);
      gap: 16px;
      align-items: start;
    }
    .list {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .pick {
      display: block;
      width: 100%;
      padding: 10px 12px;
      border: 0;
      border-radius: 8px;
      background: none;
      color: inherit;
      font: inherit;
      text-align: left;
      cursor: pointer;
    }
    .pick[aria-current='true'] {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .pick:hover {
      background: var(--mat-sys-surface-container-high);
    }
    .full {
      width: 100%;
    }
    h3 {
      font: var(--mat-sys-title-small);
      margin: 20px 0 8px;
    }
  `,
})
export class ProjectsPage {
  /** The open project, in the URL so a link can point at it. */
  readonly project = input<string | undefined>();

  private readonly api = inject(AdminApi);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly feedback = inject(Feedback);
  private readonly confirmer = inject(ConfirmService);
  private readonly fb = inject(NonNullableFormBuilder);

  /** Global project admins manage every project; a project's admins only their own (from /me). */
  protected readonly globalAdmin = computed(() => this.auth.me()?.permissions.some((p) => /^(\*|manage):(\*|project):\*$/.test(p)) ?? false);
  protected readonly showArchived = signal(false);
  protected readonly projects = liveResource<ProjectDto[], { global: boolean; archived: boolean }>({
    params: () => ({ global: this.globalAdmin(), archived: this.showArchived() }),
    stream: ({ global, archived }) => (global ? this.api.projects(archived) : of(this.ownProjects())),
  });
  protected readonly error = resourceError(this.projects);
  private readonly projectList = valueOf(this.projects);
  protected readonly selected = computed(() => {
    const list = this.projectList() ?? [];
    return list.find((p) => p.slug === this.project()) ?? null;
  });
  protected readonly creating = signal(false);
  protected readonly createForm = this.fb.group({
    slug: ['', [Validators.required, Validators.pattern(/^[a-z0-9][a-z0-9-]{0,62}$/)]],
    name: ['', Validators.required],
    description: [''],
    patterns: ['', Validators.required],
  });
  protected readonly editForm = this.fb.group({ name: ['', Validators.required], description: [''], patterns: ['', Validators.required] });

  constructor() {
    effect(() => {
      const p = this.selected();
      if (p) this.editForm.reset({ name: p.name, description: p.description ?? '', patterns: p.minion_patterns.join(' ') });
    });
  }

  protected open(slug: string | null): void {
    void patchQuery(this.router, { project: slug });
  }

  protected async create(): Promise<void> {
    if (this.createForm.invalid) {
      this.createForm.markAllAsTouched();
      return;
    }
    const v = this.createForm.getRawValue();
    const created = await this.feedback.run(
      this.api.createProject({ slug: v.slug, name: v.name.trim(), description: v.description.trim() || undefined, minion_patterns: splitList(v.patterns) }),
      `Project ${v.slug} created.`,
    );
    if (created) {
      this.creating.set(false);
      this.createForm.reset();
      this.projects.reload();
      this.open(v.slug);
    }
  }

  protected async update(project: ProjectDto): Promise<void> {
    if (this.editForm.invalid) return;
    const v = this.editForm.getRawValue();
    const body = { name: v.name.trim(), description: v.description.trim(), minion_patterns: splitList(v.patterns) };
    if (await this.feedback.run(this.api.updateProject(project.slug, body), `Project ${project.slug} saved.`)) this.projects.reload();
  }

  protected async archive(project: ProjectDto): Promise<void> {
    const ok = await this.confirmer.confirm({
      title: `Archive ${project.name}?`,
      message: 'Its members lose the grants it gave them. Its audit entries are kept.',
      confirmLabel: 'Archive project',
      tone: 'danger',
    });
    if (ok && (await this.feedback.run(this.api.archiveProject(project.slug), `Project ${project.slug} archived.`))) this.projects.reload();
  }

  private ownProjects(): ProjectDto[] {
    return (this.auth.me()?.memberships ?? [])
      .filter((m) => m.role === 'admin')
      .map((m) => ({
        id: m.project_id,
        slug: m.project_slug,
        name: m.project_name,
        description: null,
        minion_patterns: [],
        archived_at: null,
        created_at: '',
        updated_at: '',
      }));
  }
}
