import type { MeResponse } from '@sylvite/contracts';
import { type AccessRule, canAccess, SIGNED_IN } from '@sylvite/web-data-access';

export type NavSectionId = 'fleet' | 'records' | 'admin' | 'account';

/** One console page: where it lives, what the sidebar calls it, and who may see it. */
export interface PageDef {
  path: string;
  label: string;
  access: AccessRule;
  section: NavSectionId;
}

const FLEET_VIEW: AccessRule = { anyOf: ['view:job', 'view:key', 'view:minion'] };

/**
 * Every page of the console, in sidebar order. The routes and the sidebar both read this table, so
 * a page's visibility and its guard can never disagree.
 */
export const PAGES = {
  overview: { path: '', label: 'Overview', access: SIGNED_IN, section: 'fleet' },
  activity: { path: 'activity', label: 'Activity', access: FLEET_VIEW, section: 'fleet' },
  jobs: { path: 'jobs', label: 'Jobs', access: { anyOf: ['view:job'] }, section: 'fleet' },
  run: { path: 'run', label: 'Run', access: { anyOf: ['run:job'] }, section: 'fleet' },
  keys: { path: 'keys', label: 'Keys', access: { anyOf: ['view:key'] }, section: 'fleet' },
  minions: { path: 'minions', label: 'Minions', access: { anyOf: ['view:minion'] }, section: 'fleet' },
  timeline: { path: 'timeline', label: 'Timeline', access: SIGNED_IN, section: 'records' },
  audit: { path: 'audit', label: 'Audit', access: { anyOf: ['view:audit'] }, section: 'records' },
  settings: { path: 'settings', label: 'Settings', access: { anyOf: ['edit:settings'] }, section: 'admin' },
  users: { path: 'admin/users', label: 'Users & roles', access: { anyOf: ['view:user'] }, section: 'admin' },
  projects: {
    path: 'admin/projects',
    label: 'Projects',
    access: { anyOf: ['manage:project'], orProjectAdmin: true },
    section: 'admin',
  },
  tokens: { path: 'tokens', label: 'API tokens', access: SIGNED_IN, section: 'account' },
  changePassword: { path: 'account/password', label: 'Change password', access: SIGNED_IN, section: 'account' },
} as const satisfies Record<string, PageDef>;

export type PageId = keyof typeof PAGES;

const SECTION_LABELS: Readonly<Record<NavSectionId, string>> = {
  fleet: 'Fleet',
  records: 'Records',
  admin: 'Administration',
  account: 'Account',
};

/** Pages reached from the user menu rather than the sidebar. */
const MENU_ONLY: readonly PageId[] = ['changePassword'];

export interface NavItem {
  id: PageId;
  label: string;
  link: string;
  exact: boolean;
}

export interface NavSection {
  id: NavSectionId;
  label: string;
  items: NavItem[];
}

/** The sidebar for this user: only what they may see, empty sections left out. */
export function navSections(me: MeResponse | null | undefined): NavSection[] {
  const sections: NavSection[] = [];
  for (const [id, page] of Object.entries(PAGES) as [PageId, PageDef][]) {
    if (MENU_ONLY.includes(id) || !canAccess(me, page.access)) continue;
    let section = sections.find((s) => s.id === page.section);
    if (!section) {
      section = { id: page.section, label: SECTION_LABELS[page.section], items: [] };
      sections.push(section);
    }
    section.items.push({ id, label: page.label, link: `/${page.path}`, exact: page.path === '' });
  }
  return sections;
}
