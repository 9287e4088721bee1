/** Sign-in, sessions, users, roles and API tokens: the shapes on the wire. */

import type { ProjectRole } from './projects';

export const SESSION_COOKIE = 'sylvite_session';
/** Angular's own double-submit names: the cookie the server sets and the header the client echoes. */
export const XSRF_COOKIE = 'XSRF-TOKEN';
export const XSRF_HEADER = 'X-XSRF-TOKEN';

export interface LoginRequest {
  username: string;
  password: string;
}

export interface UserDto {
  id: string;
  username: string;
  display_name: string | null;
  disabled: boolean;
  roles: string[];
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface MembershipDto {
  project_id: string;
  project_slug: string;
  project_name: string;
  role: ProjectRole;
}

export interface MeResponse {
  user: UserDto;
  /** The effective grants: union of roles (and, later, project memberships). */
  permissions: string[];
  memberships: MembershipDto[];
  /** How this request was authenticated. */
  auth: 'session' | 'token';
  session_expires_at: string | null;
}

export interface SetupStatus {
  /** True while no user exists and the first admin may be created with the setup token. */
  needs_setup: boolean;
}

export interface SetupRequest {
  token: string;
  username: string;
  password: string;
}

export interface ChangePasswordRequest {
  current_password: string;
  new_password: string;
}

export interface RoleDto {
  id: string;
  name: string;
  description: string | null;
  permissions: string[];
  builtin: boolean;
}

export interface ApiTokenDto {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  expires_at: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedApiTokenDto extends ApiTokenDto {
  /** The secret, shown once. */
  token: string;
}

export const MIN_PASSWORD_LENGTH = 12;
