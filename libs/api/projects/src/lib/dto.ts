import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength,
} from 'class-validator';
import { MINION_PATTERN_RE, PROJECT_ROLES, SLUG_RE, type ProjectRole } from './project-rules';

const SLUG_MSG = 'slug: 1-63 lowercase letters, digits and dashes, starting with a letter or digit';
const PATTERNS_MSG = 'minion_patterns: each a glob or a minion id (1-255 characters, no spaces or commas)';
const ROLE_MSG = `role: one of ${PROJECT_ROLES.join(', ')}`;

export class CreateProjectDto {
  @IsString({ message: SLUG_MSG }) @Matches(SLUG_RE, { message: SLUG_MSG })
  slug!: string;

  @IsString({ message: 'name: required' }) @MinLength(1, { message: 'name: required' })
  @MaxLength(200, { message: 'name: at most 200 characters' })
  name!: string;

  @IsOptional() @IsString() @MaxLength(2000, { message: 'description: at most 2000 characters' })
  description?: string;

  @IsArray({ message: PATTERNS_MSG }) @ArrayMinSize(1, { message: 'minion_patterns: at least one' })
  @ArrayMaxSize(500, { message: 'minion_patterns: at most 500' })
  @IsString({ each: true, message: PATTERNS_MSG }) @Matches(MINION_PATTERN_RE, { each: true, message: PATTERNS_MSG })
  minion_patterns!: string[];
}

export class UpdateProjectDto {
  @IsOptional() @IsString() @MinLength(1, { message: 'name: required' })
  @MaxLength(200, { message: 'name: at most 200 characters' })
  name?: string;

  @IsOptional() @IsString() @MaxLength(2000, { message: 'description: at most 2000 characters' })
  description?: string;

  @IsOptional() @IsArray({ message: PATTERNS_MSG }) @ArrayMinSize(1, { message: 'minion_patterns: at least one' })
  @ArrayMaxSize(500, { message: 'minion_patterns: at most 500' })
  @IsString({ each: true, message: PATTERNS_MSG }) @Matches(MINION_PATTERN_RE, { each: true, message: PATTERNS_MSG })
  minion_patterns?: string[];
}

/** The user by `username` (project admins cannot list users) or by `user_id`. */
export class AddMemberDto {
  @IsOptional() @IsString() @MaxLength(64, { message: 'username: at most 64 characters' })
  username?: string;

  @IsOptional() @IsUUID('all', { message: 'user_id: must be a UUID' })
  user_id?: string;

  @IsIn(PROJECT_ROLES, { message: ROLE_MSG })
  role!: ProjectRole;
}

export class UpdateMemberDto {
  @IsIn(PROJECT_ROLES, { message: ROLE_MSG })
  role!: ProjectRole;
}
