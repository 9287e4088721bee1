import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, Validate,
  ValidatorConstraint, ValidatorConstraintInterface,
} from 'class-validator';
import { isValidPermission, MIN_PASSWORD_LENGTH } from '@sylvite/contracts';

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const USERNAME_MSG = 'username: 1-64 letters, digits, . _ @ -';
const PASSWORD_MSG = `password: at least ${MIN_PASSWORD_LENGTH} characters`;

@ValidatorConstraint({ name: 'permissions' })
class PermissionList implements ValidatorConstraintInterface {
  validate(v: unknown) {
    return Array.isArray(v) && v.every((p) => typeof p === 'string' && isValidPermission(p));
  }
  defaultMessage() {
    return 'permissions: each must be verb:type:pattern from the catalogue (e.g. view:job:web*)';
  }
}

export class LoginDto {
  @IsString({ message: 'username: required' }) @MaxLength(64, { message: 'username: at most 64 characters' })
  username!: string;

  @IsString({ message: 'password: required' }) @MaxLength(1024, { message: 'password: at most 1024 characters' })
  password!: string;
}

export class SetupDto {
  @IsString({ message: 'token: required' }) @MaxLength(200)
  token!: string;

  @Matches(USERNAME, { message: USERNAME_MSG })
  username!: string;

  @IsString({ message: PASSWORD_MSG }) @MinLength(MIN_PASSWORD_LENGTH, { message: PASSWORD_MSG }) @MaxLength(1024)
  password!: string;
}

export class ChangePasswordDto {
  @IsString({ message: 'current_password: required' }) @MaxLength(1024)
  current_password!: string;

  @IsString({ message: 'new_password: required' })
  @MinLength(MIN_PASSWORD_LENGTH, { message: `new_password: at least ${MIN_PASSWORD_LENGTH} characters` })
  @MaxLength(1024)
  new_password!: string;
}

export class CreateUserDto {
  @Matches(USERNAME, { message: USERNAME_MSG })
  username!: string;

  @IsString({ message: PASSWORD_MSG }) @MinLength(MIN_PASSWORD_LENGTH, { message: PASSWORD_MSG }) @MaxLength(1024)
  password!: string;

  @IsOptional() @IsString() @MaxLength(200, { message: 'display_name: at most 200 characters' })
  display_name?: string;

  @IsOptional() @IsArray({ message: 'roles: must be a list of role names' }) @IsString({ each: true, message: 'roles: must be a list of role names' })
  @ArrayMaxSize(50)
  roles?: string[];
}

export class UpdateUserDto {
  @IsOptional() @IsString() @MaxLength(200, { message: 'display_name: at most 200 characters' })
  display_name?: string;

  @IsOptional() @IsBoolean({ message: 'disabled: must be true or false' })
  disabled?: boolean;
}

export class ResetPasswordDto {
  @IsString({ message: PASSWORD_MSG }) @MinLength(MIN_PASSWORD_LENGTH, { message: PASSWORD_MSG }) @MaxLength(1024)
  password!: string;
}

export class RoleAssignDto {
  @IsString({ message: 'role: required' }) @MaxLength(64)
  role!: string;
}

export class CreateRoleDto {
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'name: lowercase letters, digits, _ and - (1-64)' })
  name!: string;

  @IsOptional() @IsString() @MaxLength(500, { message: 'description: at most 500 characters' })
  description?: string;

  @IsArray({ message: 'permissions: must be a list' }) @ArrayMaxSize(200) @Validate(PermissionList)
  permissions!: string[];
}

export class UpdateRoleDto {
  @IsOptional() @IsString() @MaxLength(500, { message: 'description: at most 500 characters' })
  description?: string;

  @IsOptional() @IsArray({ message: 'permissions: must be a list' }) @ArrayMaxSize(200) @Validate(PermissionList)
  permissions?: string[];
}

export class CreateTokenDto {
  @IsString({ message: 'name: required' }) @MinLength(1, { message: 'name: required' }) @MaxLength(100, { message: 'name: at most 100 characters' })
  name!: string;

  @IsArray({ message: 'permissions: must be a list' }) @ArrayMaxSize(200) @Validate(PermissionList)
  permissions!: string[];

  @IsOptional() @Type(() => Number) @IsInt({ message: 'expires_in_days: an integer from 1 to 365' })
  @Min(1, { message: 'expires_in_days: an integer from 1 to 365' }) @Max(365, { message: 'expires_in_days: an integer from 1 to 365' })
  expires_in_days?: number;
}
