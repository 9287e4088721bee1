import { inject, Injectable } from '@angular/core';
import type { ProjectDto, ProjectMemberDto, ProjectRole, RoleDto, UserDto } from '@sylvite/contracts';
import { ApiClient } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

export interface CreateUserRequest {
  username: string;
  password: string;
  display_name?: string;
  roles?: string[];
}

export interface RoleRequest {
  name?: string;
  description?: string;
  permissions?: string[];
}

export const PROJECT_ROLES: readonly ProjectRole[] = ['viewer', 'operator', 'admin'];

export interface ProjectRequest {
  slug?: string;
  name?: string;
  description?: string;
  minion_patterns?: string[];
}

/** Users, roles and projects: the administration endpoints. */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly api = inject(ApiClient);

  users(): Observable<UserDto[]> {
    return this.api.get<UserDto[]>('/users');
  }

  createUser(request: CreateUserRequest): Observable<UserDto> {
    return this.api.post<UserDto>('/users', request);
  }

  updateUser(id: string, patch: { display_name?: string; disabled?: boolean }): Observable<UserDto> {
    return this.api.patch<UserDto>(`/users/${id}`, patch);
  }

  deleteUser(id: string): Observable<void> {
    return this.api.delete(`/users/${id}`);
  }

  resetPassword(id: string, password: string): Observable<void> {
    return this.api.post<void>(`/users/${id}/password`, { password });
  }

  addRole(id: string, role: string): Observable<UserDto> {
    return this.api.post<UserDto>(`/users/${id}/roles`, { role });
  }

  removeRole(id: string, role: string): Observable<UserDto> {
    return this.api.delete<UserDto>(`/users/${id}/roles/${encodeURIComponent(role)}`);
  }

  roles(): Observable<RoleDto[]> {
    return this.api.get<RoleDto[]>('/roles');
  }

  createRole(request: RoleRequest): Observable<RoleDto> {
    return this.api.post<RoleDto>('/roles', request);
  }

  updateRole(name: string, request: RoleRequest): Observable<RoleDto> {
    return this.api.patch<RoleDto>(`/roles/${encodeURIComponent(name)}`, request);
  }

  deleteRole(name: string): Observable<void> {
    return this.api.delete(`/roles/${encodeURIComponent(name)}`);
  }

  projects(includeArchived: boolean): Observable<ProjectDto[]> {
    return this.api.get<ProjectDto[]>('/projects', { include_archived: includeArchived || null });
  }

  project(slug: string): Observable<ProjectDto> {
    return this.api.get<ProjectDto>(`/projects/${encodeURIComponent(slug)}`);
  }

  createProject(request: ProjectRequest): Observable<ProjectDto> {
    return this.api.post<ProjectDto>('/projects', request);
  }

  updateProject(slug: string, request: ProjectRequest): Observable<ProjectDto> {
    return this.api.patch<ProjectDto>(`/projects/${encodeURIComponent(slug)}`, request);
  }

  archiveProject(slug: string): Observable<ProjectDto> {
    return this.api.post<ProjectDto>(`/projects/${encodeURIComponent(slug)}/archive`);
  }

  members(slug: string): Observable<ProjectMemberDto[]> {
    return this.api.get<ProjectMemberDto[]>(`/projects/${encodeURIComponent(slug)}/members`);
  }

  addMember(slug: string, username: string, role: ProjectRole): Observable<ProjectMemberDto> {
    return this.api.post<ProjectMemberDto>(`/projects/${encodeURIComponent(slug)}/members`, { username, role });
  }

  updateMember(slug: string, userId: string, role: ProjectRole): Observable<ProjectMemberDto> {
    return this.api.patch<ProjectMemberDto>(`/projects/${encodeURIComponent(slug)}/members/${userId}`, { role });
  }

  removeMember(slug: string, userId: string): Observable<void> {
    return this.api.delete(`/projects/${encodeURIComponent(slug)}/members/${userId}`);
  }
}

/** "web*, db01 lb?" → ["web*", "db01", "lb?"]: patterns and permissions are typed as one list. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}
