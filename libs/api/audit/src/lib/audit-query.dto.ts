import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** `<iso_at>|<id>`, and the total a `next_before_cursor` carries (`|<n>` or `|~<n>`, see cursor.ts). */
const CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})\|\d{1,19}(\|~?\d{1,5})?$/;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/**
 * A calendar date and time: ISO 8601 also allows week (`2024-W01`) and ordinal dates, which
 * PostgreSQL refuses, and a 400 must come before the query rather than a 500 from it.
 */
const CALENDAR = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
// PostgreSQL text cannot hold NUL; refuse it as a bad parameter instead of failing in the query.
// eslint-disable-next-line no-control-regex -- the NUL is exactly what is refused
const NO_NUL = /^[^\u0000]*$/;

/** GET /api/audit and its export: every parameter bounded, every failure a 400 naming the parameter. */
export class AuditQueryDto {
  @IsOptional() @IsUUID('all', { message: 'user_id: must be a UUID' })
  user_id?: string;

  @IsOptional() @IsString({ message: 'action: must be one string' }) @MaxLength(200, { message: 'action: at most 200 characters' })
  @Matches(NO_NUL, { message: 'action: must not contain NUL' }) @Transform(trim)
  action?: string;

  @IsOptional() @IsString({ message: 'action_prefix: must be one string' }) @MaxLength(200, { message: 'action_prefix: at most 200 characters' })
  @Matches(NO_NUL, { message: 'action_prefix: must not contain NUL' })
  action_prefix?: string;

  @IsOptional() @IsIn(['allow', 'deny'], { message: 'decision: must be allow or deny' })
  decision?: 'allow' | 'deny';

  @IsOptional() @IsString({ message: 'resource: must be one string' }) @MaxLength(500, { message: 'resource: at most 500 characters' })
  @Matches(NO_NUL, { message: 'resource: must not contain NUL' })
  resource?: string;

  @IsOptional() @IsString({ message: 'salt_jid: must be one string' }) @MaxLength(64, { message: 'salt_jid: at most 64 characters' })
  @Matches(NO_NUL, { message: 'salt_jid: must not contain NUL' })
  salt_jid?: string;

  @IsOptional() @IsISO8601({ strict: true }, { message: 'since: must be an ISO 8601 timestamp' })
  @Matches(CALENDAR, { message: 'since: must be an ISO 8601 timestamp' })
  since?: string;

  @IsOptional() @IsISO8601({ strict: true }, { message: 'until: must be an ISO 8601 timestamp' })
  @Matches(CALENDAR, { message: 'until: must be an ISO 8601 timestamp' })
  until?: string;

  @IsOptional() @Type(() => Number)
  @IsInt({ message: 'limit: must be an integer from 1 to 500' })
  @Min(1, { message: 'limit: must be an integer from 1 to 500' })
  @Max(500, { message: 'limit: must be an integer from 1 to 500' })
  limit?: number;

  @IsOptional() @Type(() => Number)
  @IsInt({ message: 'offset: must be a non-negative integer' })
  @Min(0, { message: 'offset: must be a non-negative integer' })
  @Max(10_000_000, { message: 'offset: at most 10000000' })
  offset?: number;

  @IsOptional() @Matches(CURSOR, { message: 'before_cursor: malformed cursor (expected <iso_at>|<id>)' })
  before_cursor?: string;

  @IsOptional() @Matches(CURSOR, { message: 'since_cursor: malformed cursor (expected <iso_at>|<id>)' })
  since_cursor?: string;
}
