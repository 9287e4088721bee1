import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { MeResponse } from '@sylvite/contracts';
import { aMe, AuthService } from '@sylvite/web-data-access';
import type { PageId } from './pages';
import { Sidebar } from './sidebar';

const EVERYONE: PageId[] = ['overview', 'timeline', 'tokens'];
const FLEET: PageId[] = ['activity', 'jobs', 'keys', 'minions'];

async function renderFor(me: MeResponse | null) {
  const current = signal(me);
  TestBed.configureTestingModule({
    imports: [Sidebar],
    providers: [provideRouter([]), { provide: AuthService, useValue: { me: current } }],
  });
  const fixture = TestBed.createComponent(Sidebar);
  await fixture.whenStable();
  const items = () =>
    Array.from((fixture.nativeElement as HTMLElement).querySelectorAll<HTMLAnchorElement>('a[data-nav]'), (a) => a.dataset['nav'] as PageId);
  return { fixture, current, items };
}

describe('Sidebar', () => {
  it.each<[string, MeResponse, PageId[]]>([
    ['viewer', aMe({ role: 'viewer' }), [...EVERYONE, ...FLEET]],
    ['operator', aMe({ role: 'operator' }), [...EVERYONE, ...FLEET, 'run']],
    ['auditor', aMe({ role: 'auditor' }), [...EVERYONE, ...FLEET, 'audit']],
    [
      'admin',
      aMe({ role: 'admin' }),
      [...EVERYONE, ...FLEET, 'run', 'audit', 'settings', 'users', 'projects'],
    ],
    ['job-only viewer', aMe({ permissions: ['view:job:web*'] }), [...EVERYONE, 'activity', 'jobs']],
    ['user with no grants', aMe({ permissions: [] }), EVERYONE],
    [
      'project admin',
      aMe({
        permissions: [],
        memberships: [{ project_id: 'p1', project_slug: 'web', project_name: 'Web', role: 'admin' }],
      }),
      [...EVERYONE, 'projects'],
    ],
  ])('should show exactly the pages a %s may see when rendered', async (_who, me, expected) => {
    const { items } = await renderFor(me);
    expect(items().sort()).toEqual([...expected].sort());
  });

  it('should keep the sidebar order and group headings when rendered for an admin', async () => {
    const { fixture, items } = await renderFor(aMe({ role: 'admin' }));
    expect(items()).toEqual([
      'overview', 'activity', 'jobs', 'run', 'keys', 'minions',
      'timeline', 'audit',
      'settings', 'users', 'projects',
      'tokens',
    ]);
    const headings = Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('h2'), (h) => h.textContent?.trim());
    expect(headings).toEqual(['Fleet', 'Records', 'Administration', 'Account']);
  });

  it('should update the items when the user changes', async () => {
    const { fixture, current, items } = await renderFor(aMe({ role: 'viewer' }));
    expect(items()).not.toContain('audit');
    current.set(aMe({ role: 'auditor' }));
    await fixture.whenStable();
    expect(items()).toContain('audit');
  });

  it('should link each item to its page when rendered', async () => {
    const { fixture } = await renderFor(aMe({ role: 'admin' }));
    const users = (fixture.nativeElement as HTMLElement).querySelector<HTMLAnchorElement>('a[data-nav=users]');
    expect(users?.getAttribute('href')).toBe('/admin/users');
    expect(users?.textContent?.trim()).toBe('Users & roles');
  });
});
