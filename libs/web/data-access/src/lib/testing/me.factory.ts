import type { MeResponse, MembershipDto } from '@sylvite/contracts';
import { BUILTIN_ROLES } from '@sylvite/contracts';

/**
 * Test data: a signed-in user holding `permissions` (or a built-in role's). For specs only; it is
 * exported from the barrel so every web lib's specs share one shape, and tree-shaken from the app.
 */
export function aMe(
  overrides: { permissions?: string[]; role?: keyof typeof BUILTIN_ROLES; memberships?: MembershipDto[]; username?: string } = {},
): MeResponse {
  const role = overrides.role ?? 'viewer';
  const username = overrides.username ?? role;
  return {
    user: {
      id: `00000000-0000-4000-8000-${username.padStart(12, '0').slice(-12)}`,
      username,
      display_name: null,
      disabled: false,
      roles: [role],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      last_login_at: null,
    },
    permissions: overrides.permissions ?? BUILTIN_ROLES[role].permissions,
    memberships: overrides.memberships ?? [],
    auth: 'session',
    session_expires_at: null,
  };
}
