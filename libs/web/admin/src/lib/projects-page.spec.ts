import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { MeResponse, ProjectDto, ProjectMemberDto } from '@sylvite/contracts';
import { aMe, AuthService } from '@sylvite/web-data-access';
import { ConfirmService } from '@sylvite/web-ui';
import { ProjectsPage } from './projects-page';

const PROJECT_ADMIN = aMe({
  permissions: [],
  username: 'pam',
  memberships: [
    { project_id: 'p1', project_slug: 'alpha', project_name: 'Alpha', role: 'admin' },
    { project_id: 'p2', project_slug: 'beta', project_name: 'Beta', role: 'viewer' },
  ],
});

function aProject(slug: string): ProjectDto {
  return {
    id: `id-${slug}`,
    slug,
    name: slug.toUpperCase(),
    description: null,
    minion_patterns: ['web*'],
    archived_at: null,
    created_at: '2026-05-12T12:00:00.000Z',
    updated_at: '2026-05-12T12:00:00.000Z',
  };
}

function aMember(username: string, role: ProjectMemberDto['role']): ProjectMemberDto {
  return {
    user_id: `00000000-0000-4000-8000-${username.padStart(12, '0')}`,
    username,
    display_name: null,
    role,
    created_at: '2026-05-12T12:00:00.000Z',
    updated_at: '2026-05-12T12:00:00.000Z',
  };
}

describe('ProjectsPage', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;

  async function render(me: MeResponse, url: string): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'admin/projects', component: ProjectsPage }], withComponentInputBinding()),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthService, useValue: { me: signal(me) } },
        { provide: ConfirmService, useValue: { confirm: async () => true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url);
    await settle();
  }

  const root = () => harness.routeNativeElement as HTMLElement;
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    TestBed.tick();
  };

  afterEach(() => backend.verify());

  it('should offer a project admin only the projects they administer, without listing every project', async () => {
    await render(PROJECT_ADMIN, '/admin/projects?project=alpha');

    backend.expectNone('/api/projects');
    const picks = Array.from(root().querySelectorAll('button[data-project]'), (b) => b.getAttribute('data-project'));
    expect(picks).toEqual(['alpha']);
    expect(root().querySelector('[data-testid=project-new]')).toBeNull();
    backend.expectOne('/api/projects/alpha/members').flush([aMember('pam', 'admin')]);
    await settle();
    expect(root().querySelector('[data-testid=members-table]')?.textContent).toContain('pam');
  });

  it('should add a member by username and role when the form is sent', async () => {
    await render(aMe({ role: 'admin' }), '/admin/projects?project=alpha');
    backend.expectOne('/api/projects').flush([aProject('alpha'), aProject('beta')]);
    await settle();
    backend.expectOne('/api/projects/alpha/members').flush([]);
    await settle();

    const username = root().querySelector<HTMLInputElement>('[data-testid=member-username]');
    if (!username) throw new Error('no username field');
    username.value = 'carol';
    username.dispatchEvent(new Event('input'));
    root().querySelector<HTMLButtonElement>('[data-testid=member-add]')?.click();
    await settle();

    const add = backend.expectOne({ method: 'POST', url: '/api/projects/alpha/members' });
    expect(add.request.body).toEqual({ username: 'carol', role: 'viewer' });
    add.flush(aMember('carol', 'viewer'));
    await settle();
    backend.expectOne('/api/projects/alpha/members').flush([aMember('carol', 'viewer')]);
    await settle();
    expect(root().querySelector('tr[data-member=carol]')).not.toBeNull();
  });
});
