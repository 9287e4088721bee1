import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

export class CreateDestinationDto {
  @IsString({ message: 'name: must be a string' }) @MinLength(1, { message: 'name: 1 to 100 characters' })
  @MaxLength(100, { message: 'name: 1 to 100 characters' }) @Matches(PRINTABLE, { message: 'name: no control characters' })
  name!: string;

  @IsString({ message: 'url: must be a string' }) @MaxLength(2000, { message: 'url: at most 2000 characters' })
  url!: string;

  /** Shared with the receiver, which checks `X-Sylvite-Signature` with it. Write-only. */
  @IsString({ message: 'secret: must be a string' }) @MinLength(16, { message: 'secret: 16 to 512 characters' })
  @MaxLength(512, { message: 'secret: 16 to 512 characters' })
  secret!: string;

  /** Only rows whose action starts with this (literally); checkpoints are always sent. */
  @IsOptional() @IsString({ message: 'action_prefix: must be a string' }) @MaxLength(200, { message: 'action_prefix: at most 200 characters' })
  @Matches(PRINTABLE, { message: 'action_prefix: no control characters' })
  action_prefix?: string | null;

  @IsOptional() @IsIn(['allow', 'deny', null], { message: 'decision: allow, deny or null' })
  decision?: 'allow' | 'deny' | null;

  @IsOptional() @IsBoolean({ message: 'enabled: must be true or false' })
  enabled?: boolean;

  /** `now` (default): rows sealed from now on; `beginning`: everything still in the log. */
  @IsOptional() @IsIn(['now', 'beginning'], { message: 'start: now or beginning' })
  start?: 'now' | 'beginning';
}

export class UpdateDestinationDto {
  @IsOptional() @IsString({ message: 'name: must be a string' }) @MinLength(1, { message: 'name: 1 to 100 characters' })
  @MaxLength(100, { message: 'name: 1 to 100 characters' }) @Matches(PRINTABLE, { message: 'name: no control characters' })
  name?: string;

  @IsOptional() @IsString({ message: 'url: must be a string' }) @MaxLength(2000, { message: 'url: at most 2000 characters' })
  url?: string;

  @IsOptional() @IsString({ message: 'secret: must be a string' }) @MinLength(16, { message: 'secret: 16 to 512 characters' })
  @MaxLength(512, { message: 'secret: 16 to 512 characters' })
  secret?: string;

  @IsOptional() @IsString({ message: 'action_prefix: must be a string' }) @MaxLength(200, { message: 'action_prefix: at most 200 characters' })
  @Matches(PRINTABLE, { message: 'action_prefix: no control characters' })
  action_prefix?: string | null;

  @IsOptional() @IsIn(['allow', 'deny', null], { message: 'decision: allow, deny or null' })
  decision?: 'allow' | 'deny' | null;

  @IsOptional() @IsBoolean({ message: 'enabled: must be true or false' })
  enabled?: boolean;
}

export interface DestinationView {
  id: string;
  name: string;
  url: string;
  action_prefix: string | null;
  decision: 'allow' | 'deny' | null;
  enabled: boolean;
  /** The secret itself is never returned. */
  secret_set: boolean;
  /** The cursor: every chain row up to this position has been delivered (or filtered out). */
  delivered_seq: string;
  delivered_id: string | null;
  delivered_at: string | null;
  /** Chain rows after the cursor, sent or filtered once the receiver takes them. */
  backlog: number;
  failures: number;
  last_error: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}
