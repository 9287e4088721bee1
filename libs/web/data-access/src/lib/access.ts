import { decide, type MeResponse, type PermissionKey } from '@sylvite/contracts';

/**
 * Who may see a page or a sidebar item. The server decides for real; this only keeps the console
 * from offering what would be refused, so it checks "any grant of this verb and type" (resource
 * undefined), and the page then shows whatever the API scopes to.
 */
export interface AccessRule {
  /** Allowed when the user holds any of these. An empty list means every signed-in user. */
  anyOf: readonly PermissionKey[];
  /** Also allowed for admins of at least one project (they manage their own projects' members). */
  orProjectAdmin?: boolean;
}

export const SIGNED_IN: AccessRule = { anyOf: [] };

export function canAccess(me: MeResponse | null | undefined, rule: AccessRule): boolean {
  if (!me) return false;
  if (rule.anyOf.length === 0) return true;
  if (rule.anyOf.some((permission) => decide(me, permission).allowed)) return true;
  return !!rule.orProjectAdmin && me.memberships.some((m) => m.role === 'admin');
}

/** The words the permission-denied state uses: `view:audit:*`, or a list when several would do. */
export function describeAccess(rule: AccessRule): string {
  const names = rule.anyOf.map((p) => `${p}:*`);
  if (rule.orProjectAdmin) names.push('admin of a project');
  if (names.length === 0) return 'a signed-in user';
  return names.length === 1 ? names[0] : `one of ${names.join(', ')}`;
}
