import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { TARGET_TYPES, type TargetType } from './target/target';

type TransformArg = { value: unknown };

function trimmed({ value }: TransformArg): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? undefined : t;
}

/** A target: a non-empty expression, or (for list targets) an array of minion ids. */
function IsTarget(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTarget',
      validator: {
        validate: (v: unknown) =>
          (typeof v === 'string' && v.trim() !== '' && v.length <= 2048) ||
          (Array.isArray(v) && v.length > 0 && v.length <= 10_000 && v.every((s) => typeof s === 'string' && s.trim() !== '' && s.length <= 255)),
      },
    },
    options,
  );
}

/** `module.function` (or `module.sub.function`), as salt names execution functions. */
export const FUN_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;

export class RunJobDto {
  @IsTarget({ message: 'target: a non-empty target expression, or a non-empty array of minion ids' })
  target!: string | string[];

  @IsOptional() @IsIn(TARGET_TYPES, { message: `target_type: must be one of ${TARGET_TYPES.join(', ')}` })
  target_type?: TargetType;

  @IsString({ message: 'fun: must be a string such as test.ping' })
  @Matches(FUN_RE, { message: 'fun: must name an execution function, module.function (e.g. state.apply)' })
  @MaxLength(200, { message: 'fun: at most 200 characters' })
  fun!: string;

  @IsOptional() @IsArray({ message: 'args: must be an array of positional arguments' })
  @ArrayMaxSize(100, { message: 'args: at most 100 arguments' })
  args?: unknown[];

  @IsOptional() @IsObject({ message: 'kwargs: must be an object of keyword arguments' })
  kwargs?: Record<string, unknown>;
}

/** `<iso started_at>|<jid>`: the last job of the previous page. */
export const JOBS_CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\|([0-9]{1,26}(?:_\d+)?)$/;

export class JobsQueryDto {
  @IsOptional() @Transform(trimmed) @IsString({ message: 'function: must be a single value' })
  @MaxLength(200, { message: 'function: at most 200 characters' })
  function?: string;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'user: must be a single value' })
  @MaxLength(200, { message: 'user: at most 200 characters' })
  user?: string;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'target: must be a single value' })
  @MaxLength(255, { message: 'target: at most 255 characters' })
  target?: string;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'minion: must be a single value' })
  @MaxLength(255, { message: 'minion: at most 255 characters' })
  minion?: string;

  @IsOptional() @IsIn(['running', 'complete'], { message: 'status: must be running or complete' })
  status?: 'running' | 'complete';

  @IsOptional() @IsISO8601({ strict: true }, { message: 'since: must be an ISO 8601 date-time' })
  since?: string;

  @IsOptional() @IsISO8601({ strict: true }, { message: 'until: must be an ISO 8601 date-time' })
  until?: string;

  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit: must be an integer from 1 to 500' })
  @Min(1, { message: 'limit: must be an integer from 1 to 500' }) @Max(500, { message: 'limit: must be an integer from 1 to 500' })
  limit?: number;

  @IsOptional() @Type(() => Number) @IsInt({ message: 'offset: must be an integer from 0 to 100000' })
  @Min(0, { message: 'offset: must be an integer from 0 to 100000' }) @Max(100_000, { message: 'offset: must be an integer from 0 to 100000' })
  offset?: number;

  @IsOptional() @Matches(JOBS_CURSOR_RE, { message: 'before_cursor: must be a next_before_cursor from an earlier page' })
  before_cursor?: string;
}

export class MinionsQueryDto {
  /** Free text over id, os and ip. */
  @IsOptional() @Transform(trimmed) @IsString({ message: 'q: must be a single value' })
  @MaxLength(200, { message: 'q: at most 200 characters' })
  q?: string;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'id: must be a single value (a glob)' })
  @MaxLength(255, { message: 'id: at most 255 characters' })
  id?: string;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'os: must be a single value' })
  @MaxLength(100, { message: 'os: at most 100 characters' })
  os?: string;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'ip: must be a single value' })
  @MaxLength(64, { message: 'ip: at most 64 characters' })
  ip?: string;

  @IsOptional() @IsIn(['online', 'offline'], { message: 'status: must be online or offline' })
  status?: 'online' | 'offline';

  @IsOptional() @IsIn(['accepted', 'pending', 'rejected', 'denied'], { message: 'key_state: must be one of accepted, pending, rejected, denied' })
  key_state?: 'accepted' | 'pending' | 'rejected' | 'denied';

  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit: must be an integer from 1 to 1000' })
  @Min(1, { message: 'limit: must be an integer from 1 to 1000' }) @Max(1000, { message: 'limit: must be an integer from 1 to 1000' })
  limit?: number;

  @IsOptional() @Type(() => Number) @IsInt({ message: 'offset: must be an integer ≥ 0' })
  @Min(0, { message: 'offset: must be an integer ≥ 0' })
  offset?: number;
}
