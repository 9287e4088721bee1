import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength,
  ValidateBy, type ValidationOptions,
} from 'class-validator';
import {
  ACTIVITY_CATEGORIES, ACTIVITY_EVENT_TYPES, ACTIVITY_LIMIT_MAX, ACTIVITY_SINCE_MINUTES_MAX, decodeCursor,
  type ActivityCategory, type ActivityEventType,
} from '@sylvite/contracts';

/** Deeper than this, OFFSET is slow (PERFORMANCE.md "Feed queries"): page with `before_cursor`. */
export const ACTIVITY_OFFSET_MAX = 100_000;

type TransformArg = { value: unknown };

/** `true/false`, `1/0`, `yes/no`, `on/off`; anything else stays as given so validation names it. */
export function toBoolean({ value }: TransformArg): unknown {
  if (typeof value !== 'string') return value;
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  return value;
}

/** Trimmed text; an empty value means "no filter". */
export function trimmed({ value }: TransformArg): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? undefined : t;
}

/** `categories=job,key` (or repeated): a list, deduplicated. */
export function commaList({ value }: TransformArg): unknown {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  const out = parts.map((p) => (typeof p === 'string' ? p.trim() : p)).filter((p) => p !== '');
  return [...new Set(out)];
}

/** A keyset cursor `<iso_occurred_at>|<id>` that decodeCursor accepts. */
export function IsCursor(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isCursor', validator: { validate: (v: unknown) => typeof v === 'string' && decodeCursor(v) !== null } },
    options,
  );
}

const CATEGORY_LIST = ACTIVITY_CATEGORIES.join(', ');

/** Filters shared by the list, the export and the stream; every failure a 400 naming the parameter. */
export class ActivityFilterDto {
  @IsOptional() @IsIn(ACTIVITY_CATEGORIES, { message: `category: must be one of ${CATEGORY_LIST}` })
  category?: ActivityCategory;

  @IsOptional() @Transform(commaList)
  @ArrayMinSize(1, { message: `categories: a comma list of ${CATEGORY_LIST}` })
  @IsIn(ACTIVITY_CATEGORIES, { each: true, message: `categories: a comma list of ${CATEGORY_LIST}` })
  categories?: ActivityCategory[];

  @IsOptional() @Transform(trimmed) @IsString({ message: 'minion_id: must be a single value' })
  @MaxLength(255, { message: 'minion_id: at most 255 characters' })
  minion_id?: string;

  @IsOptional() @IsIn(ACTIVITY_EVENT_TYPES, { message: `event_type: must be one of ${ACTIVITY_EVENT_TYPES.join(', ')}` })
  event_type?: ActivityEventType;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'jid: must be a single value' })
  @MaxLength(64, { message: 'jid: at most 64 characters' })
  jid?: string;

  @IsOptional() @Transform(trimmed) @IsString({ message: 'search: must be a single value' })
  @MaxLength(200, { message: 'search: at most 200 characters' })
  search?: string;

  /** DESIGN.md §5 calls the search `q`; the same filter under its other name. */
  @IsOptional() @Transform(trimmed) @IsString({ message: 'q: must be a single value' })
  @MaxLength(200, { message: 'q: at most 200 characters' })
  q?: string;

  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'hide_routine: must be true or false' })
  hide_routine?: boolean;

  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'hide_dispatch: must be true or false' })
  hide_dispatch?: boolean;
}

/** Time bounds shared by the list and the export. */
export class ActivityRangeDto extends ActivityFilterDto {
  @IsOptional() @IsISO8601({ strict: true }, { message: 'since: must be an ISO 8601 timestamp' })
  since?: string;

  @IsOptional() @IsISO8601({ strict: true }, { message: 'until: must be an ISO 8601 timestamp' })
  until?: string;

  @IsOptional() @Type(() => Number)
  @IsInt({ message: `since_minutes: must be an integer from 1 to ${ACTIVITY_SINCE_MINUTES_MAX}` })
  @Min(1, { message: `since_minutes: must be an integer from 1 to ${ACTIVITY_SINCE_MINUTES_MAX}` })
  @Max(ACTIVITY_SINCE_MINUTES_MAX, { message: `since_minutes: must be an integer from 1 to ${ACTIVITY_SINCE_MINUTES_MAX}` })
  since_minutes?: number;
}

/** GET /api/activity. */
export class ActivityQueryDto extends ActivityRangeDto {
  @IsOptional() @Type(() => Number)
  @IsInt({ message: `limit: must be an integer from 1 to ${ACTIVITY_LIMIT_MAX}` })
  @Min(1, { message: `limit: must be an integer from 1 to ${ACTIVITY_LIMIT_MAX}` })
  @Max(ACTIVITY_LIMIT_MAX, { message: `limit: must be an integer from 1 to ${ACTIVITY_LIMIT_MAX}` })
  limit?: number;

  @IsOptional() @Type(() => Number)
  @IsInt({ message: `offset: must be an integer from 0 to ${ACTIVITY_OFFSET_MAX}` })
  @Min(0, { message: `offset: must be an integer from 0 to ${ACTIVITY_OFFSET_MAX}` })
  @Max(ACTIVITY_OFFSET_MAX, { message: `offset: at most ${ACTIVITY_OFFSET_MAX} (page deeper with before_cursor)` })
  offset?: number;

  @IsOptional() @IsCursor({ message: 'before_cursor: malformed cursor (expected <iso_occurred_at>|<id>)' })
  before_cursor?: string;

  @IsOptional() @IsCursor({ message: 'since_cursor: malformed cursor (expected <iso_occurred_at>|<id>)' })
  since_cursor?: string;
}

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** An export is streamed, but a bound keeps one request from reading the whole store. */
export const EXPORT_MAX_ROWS = 1_000_000;

/** GET /api/activity/export. */
export class ActivityExportQueryDto extends ActivityRangeDto {
  @IsOptional() @IsIn(EXPORT_FORMATS, { message: 'format: must be csv or ndjson' })
  format?: ExportFormat;

  @IsOptional() @Type(() => Number)
  @IsInt({ message: `limit: must be an integer from 1 to ${EXPORT_MAX_ROWS}` })
  @Min(1, { message: `limit: must be an integer from 1 to ${EXPORT_MAX_ROWS}` })
  @Max(EXPORT_MAX_ROWS, { message: `limit: must be an integer from 1 to ${EXPORT_MAX_ROWS}` })
  limit?: number;
}

/** GET /api/activity/stream: the filters, and where to resume when the header cannot be sent. */
export class ActivityStreamQueryDto extends ActivityFilterDto {
  @IsOptional() @IsString({ message: 'since_id: must be a row id' })
  @MinLength(1, { message: 'since_id: must be a row id' })
  @Matches(/^\d{1,19}$/, { message: 'since_id: must be a row id' })
  since_id?: string;
}
