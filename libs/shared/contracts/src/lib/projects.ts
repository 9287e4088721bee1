/** Projects and their members on the wire (issue 6): GET/POST/PATCH /api/projects and …/members. */

/** viewer < operator < admin (the api ranks them in PROJECT_ROLES order). */
export type ProjectRole = 'viewer' | 'operator' | 'admin';

export interface ProjectDto {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  minion_patterns: string[];
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProjectMemberDto {
  user_id: string;
  username: string;
  display_name: string | null;
  role: ProjectRole;
  created_at: string;
  updated_at: string;
}
