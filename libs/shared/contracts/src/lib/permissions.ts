/**
 * The permission catalogue and the one decision function (DESIGN.md §3).
 * A permission is `verb:type:pattern`; the pattern is a glob over the resource id
 * (a minion id for job, key and minion; `*` elsewhere). Used by api and web alike.
 */

export const PERMISSION_CATALOGUE = [
  { verb: 'view', type: 'job', scoped: true, allows: 'activity rows and jobs of matching minions' },
  { verb: 'view', type: 'key', scoped: true, allows: 'activity rows and keys of matching minions' },
  { verb: 'view', type: 'minion', scoped: true, allows: 'activity rows and minions matching the glob' },
  { verb: 'run', type: 'job', scoped: true, allows: 'dispatch jobs whose every targeted minion matches' },
  { verb: 'kill', type: 'job', scoped: false, allows: 'kill running jobs' },
  { verb: 'manage', type: 'key', scoped: true, allows: 'accept, reject, delete keys of matching minions' },
  { verb: 'view', type: 'audit', scoped: false, allows: 'the audit log, its export and verification' },
  { verb: 'edit', type: 'settings', scoped: false, allows: 'Settings' },
  { verb: 'view', type: 'user', scoped: false, allows: 'list users' },
  { verb: 'manage', type: 'user', scoped: false, allows: 'create, change, delete users' },
  { verb: 'view', type: 'role', scoped: false, allows: 'list roles' },
  { verb: 'manage', type: 'role', scoped: false, allows: 'create, change, delete roles' },
  { verb: 'manage', type: 'project', scoped: false, allows: 'create, change, archive projects' },
] as const;

export type PermissionVerb = (typeof PERMISSION_CATALOGUE)[number]['verb'];
export type PermissionType = (typeof PERMISSION_CATALOGUE)[number]['type'];

/** `verb:type` — the part of a permission a route requires; the pattern comes from the resource. */
export type PermissionKey = `${PermissionVerb}:${PermissionType}`;

export interface Grant {
  verb: string;
  type: string;
  pattern: string;
}

export interface Principal {
  /** The grant strings the caller holds: the union of roles, project memberships, or a token's subset. */
  permissions: readonly string[];
}

export type Decision = { allowed: true; grant: string } | { allowed: false; reason: string };

const PERMISSION_RE = /^([a-z*]+):([a-z*]+):(\S+)$/;

export function parseGrant(permission: string): Grant | null {
  const m = PERMISSION_RE.exec(permission.trim());
  if (!m) return null;
  const [, verb, type, pattern] = m;
  if (verb !== '*' && !PERMISSION_CATALOGUE.some((p) => p.verb === verb)) return null;
  if (type !== '*' && !PERMISSION_CATALOGUE.some((p) => p.type === type)) return null;
  if (verb !== '*' && type !== '*' && !PERMISSION_CATALOGUE.some((p) => p.verb === verb && p.type === type)) {
    return null;
  }
  return { verb, type, pattern };
}

export function isValidPermission(permission: string): boolean {
  return parseGrant(permission) !== null;
}

const globCache = new Map<string, RegExp>();

/** Salt-style glob (`*`, `?`, `[abc]`), anchored, case-sensitive like minion ids. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (re) return re;
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i + 1) {
        let body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        src += `[${body}]`;
        i = end;
      } else src += '\\[';
    } else src += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`);
  if (globCache.size > 10_000) globCache.clear();
  globCache.set(glob, re);
  return re;
}

export function globMatches(glob: string, value: string): boolean {
  return glob === '*' || globToRegExp(glob).test(value);
}

/**
 * The one decision point. `resource` is the concrete resource id the request touches
 * (a minion id, `*` for a whole collection) or `undefined` for "any of this kind", in which case
 * any grant of that verb and type allows the call and the caller narrows the result by scope.
 */
export function decide(principal: Principal, permission: PermissionKey | string, resource?: string): Decision {
  const [verb, type] = permission.split(':');
  for (const raw of principal.permissions) {
    const g = parseGrant(raw);
    if (!g) continue;
    if (g.verb !== '*' && g.verb !== verb) continue;
    if (g.type !== '*' && g.type !== type) continue;
    if (resource === undefined || globMatches(g.pattern, resource)) return { allowed: true, grant: raw };
  }
  return {
    allowed: false,
    reason: resource === undefined ? `missing ${verb}:${type}:*` : `missing ${verb}:${type}:${resource}`,
  };
}

/** Every resource must be allowed: used when a target resolves to several minions. */
export function decideAll(principal: Principal, permission: PermissionKey | string, resources: readonly string[]): Decision {
  for (const r of resources) {
    const d = decide(principal, permission, r);
    if (!d.allowed) return d;
  }
  return resources.length ? { allowed: true, grant: permission } : { allowed: false, reason: 'no resources' };
}

/** The glob patterns the principal may use for `verb:type` (for SQL scoping); `['*']` means unrestricted. */
export function scopePatterns(principal: Principal, permission: PermissionKey | string): string[] {
  const [verb, type] = permission.split(':');
  const out = new Set<string>();
  for (const raw of principal.permissions) {
    const g = parseGrant(raw);
    if (!g) continue;
    if ((g.verb === '*' || g.verb === verb) && (g.type === '*' || g.type === type)) {
      if (g.pattern === '*') return ['*'];
      out.add(g.pattern);
    }
  }
  return [...out];
}

/** Built-in roles, re-seeded at boot (DESIGN.md §3). */
export const BUILTIN_ROLES: Record<string, { description: string; permissions: string[] }> = {
  admin: { description: 'Everything', permissions: ['*:*:*'] },
  operator: {
    description: 'Watch the fleet, run and kill jobs, manage keys',
    permissions: ['view:job:*', 'view:key:*', 'view:minion:*', 'run:job:*', 'kill:job:*', 'manage:key:*'],
  },
  viewer: { description: 'Watch the fleet', permissions: ['view:job:*', 'view:key:*', 'view:minion:*'] },
  auditor: {
    description: 'Watch the fleet and read the audit log',
    permissions: ['view:job:*', 'view:key:*', 'view:minion:*', 'view:audit:*'],
  },
};

export const ACTIVITY_CATEGORIES = ['job', 'key', 'minion'] as const;
export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];
