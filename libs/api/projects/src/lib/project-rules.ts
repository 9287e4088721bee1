import { globMatches, type ProjectRole } from '@sylvite/contracts';

// The role is part of the wire (contracts); the module keeps importing it from here.
export type { ProjectRole };
export const PROJECT_ROLES = ['viewer', 'operator', 'admin'] as const satisfies readonly ProjectRole[];

/** viewer < operator < admin. */
export function roleRank(role: ProjectRole): number {
  return PROJECT_ROLES.indexOf(role);
}

export const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A glob or a plain minion id: no whitespace or commas (grant strings are `verb:type:<pattern>`). */
export const MINION_PATTERN_RE = /^[^\s,]{1,255}$/;

export interface MembershipGrantInput {
  slug: string;
  role: ProjectRole;
  patterns: readonly string[];
  archived: boolean;
}

const BY_ROLE: Record<ProjectRole, string[]> = {
  viewer: ['view:job', 'view:key', 'view:minion'],
  operator: ['view:job', 'view:key', 'view:minion', 'run:job', 'manage:key'],
  admin: ['view:job', 'view:key', 'view:minion', 'run:job', 'manage:key'],
};

/**
 * What a membership adds to the caller's grants. Minion grants carry the project's own patterns,
 * so jobs, keys, minions and activity are scoped by the one policy engine. A project admin also
 * gets `view:audit:<slug>` and `manage:project:<slug>`: slugs contain no glob characters and
 * `decide()` matches the grant's pattern against the resource, so neither ever satisfies a check
 * for `*` (the global audit log, project CRUD). An archived project owns no minions any more; its
 * admins keep reading its history.
 */
export function membershipGrants(m: MembershipGrantInput): string[] {
  const out: string[] = [];
  if (!m.archived) {
    for (const key of BY_ROLE[m.role]) for (const p of m.patterns) out.push(`${key}:${p}`);
  }
  if (m.role === 'admin') {
    out.push(`view:audit:${m.slug}`);
    if (!m.archived) out.push(`manage:project:${m.slug}`);
  }
  return out;
}

export interface ProjectPatterns {
  id: string;
  patterns: readonly string[];
}

/**
 * The project an audit row belongs to: the one project whose patterns match every minion the
 * action touched. No minion, no such project, or several → fleet-wide (`[]`).
 */
export function assignProject(projects: readonly ProjectPatterns[], minions: readonly string[] | undefined): string[] {
  if (!minions?.length) return [];
  const owners = projects.filter((p) => minions.every((m) => p.patterns.some((g) => globMatches(g, m))));
  return owners.length === 1 ? [owners[0].id] : [];
}
