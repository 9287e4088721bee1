import {
  IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, Validate, ValidatorConstraint, type ValidatorConstraintInterface,
} from 'class-validator';

@ValidatorConstraint({ name: 'httpUrl' })
class HttpUrl implements ValidatorConstraintInterface {
  validate(v: unknown): boolean {
    if (v === null || v === undefined) return true;
    if (typeof v !== 'string') return false;
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'url: must be an http(s) URL without credentials, query or fragment (e.g. https://salt-master:8000)';
  }
}

/** Salt connection. `password`: omitted keeps the saved one, null clears it. */
export class SaltSettingsDto {
  @IsOptional() @IsString({ message: 'url: must be a string' }) @MaxLength(2048, { message: 'url: at most 2048 characters' }) @Validate(HttpUrl)
  url?: string | null;

  @IsOptional() @IsString({ message: 'username: must be a string' }) @MaxLength(256, { message: 'username: at most 256 characters' })
  username?: string | null;

  @IsOptional() @IsString({ message: 'password: must be a string' }) @MaxLength(1024, { message: 'password: at most 1024 characters' })
  password?: string | null;

  @IsOptional() @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'eauth: 1-64 letters, digits, _ . - (pam, auto, ldap, …)' })
  eauth?: string;
}

export class StreamSettingsDto {
  @IsOptional() @IsBoolean({ message: 'enabled: must be true or false' })
  enabled?: boolean;
}

export class RetentionSettingsDto {
  @IsOptional()
  @IsInt({ message: 'days: must be an integer from 1 to 365' })
  @Min(1, { message: 'days: must be an integer from 1 to 365' })
  @Max(365, { message: 'days: must be an integer from 1 to 365' })
  days?: number;
}

export class AuditSettingsDto {
  @IsOptional() @IsBoolean({ message: 'audit_reads: must be true or false' })
  audit_reads?: boolean;
}

export class WidgetSettingsDto {
  @IsOptional() @IsBoolean({ message: 'widget_hide_dispatch: must be true or false' })
  widget_hide_dispatch?: boolean;

  @IsOptional() @IsBoolean({ message: 'widget_hide_routine: must be true or false' })
  widget_hide_routine?: boolean;

  @IsOptional() @IsBoolean({ message: 'widget_show_jobs: must be true or false' })
  widget_show_jobs?: boolean;

  @IsOptional() @IsBoolean({ message: 'widget_show_keys: must be true or false' })
  widget_show_keys?: boolean;

  @IsOptional() @IsBoolean({ message: 'widget_show_minions: must be true or false' })
  widget_show_minions?: boolean;

  @IsOptional()
  @IsInt({ message: 'widget_event_count: must be an integer from 1 to 50' })
  @Min(1, { message: 'widget_event_count: must be an integer from 1 to 50' })
  @Max(50, { message: 'widget_event_count: must be an integer from 1 to 50' })
  widget_event_count?: number;

  @IsOptional()
  @IsInt({ message: 'widget_heartbeat_minutes: must be an integer from 5 to 1440' })
  @Min(5, { message: 'widget_heartbeat_minutes: must be an integer from 5 to 1440' })
  @Max(1440, { message: 'widget_heartbeat_minutes: must be an integer from 5 to 1440' })
  widget_heartbeat_minutes?: number;
}
