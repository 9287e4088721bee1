import { BadRequestException } from '@nestjs/common';
import { isISO8601, isUUID } from 'class-validator';
import { decodeCursor, type Cursor } from '@sylvite/contracts';

export const TIMELINE_MAX_LIMIT = 200;
export const TIMELINE_DEFAULT_LIMIT = 50;

export interface TimelineQuery {
  limit: number;
  since?: Cursor;
  before?: Cursor;
  projectSlug?: string;
  actionPrefix?: string;
}

export interface ProjectAuditQuery {
  limit: number;
  since?: Cursor;
  before?: Cursor;
  actionPrefix?: string;
  outcome?: 'allow' | 'deny';
  userId?: string;
  sinceAt?: string;
  untilAt?: string;
}

type Raw = Record<string, unknown>;

function bad(message: string, detail = message): BadRequestException {
  return new BadRequestException({ message, detail });
}

/** One string per parameter; a repeated parameter is a client bug worth naming. */
function single(raw: Raw, name: string, max = 200): string | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`${name}: give it once, as a string`);
  if (v.length > max) throw bad(`${name}: at most ${max} characters`);
  return v;
}

function rejectUnknown(raw: Raw, known: readonly string[]): void {
  const extra = Object.keys(raw).filter((k) => !known.includes(k));
  if (extra.length) throw bad(`unknown query parameter${extra.length > 1 ? 's' : ''}: ${extra.join(', ')}`);
}

function limitOf(raw: Raw): number {
  const v = single(raw, 'limit');
  if (v === undefined) return TIMELINE_DEFAULT_LIMIT;
  const n = /^\d{1,6}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= TIMELINE_MAX_LIMIT)) throw bad(`limit: must be an integer from 1 to ${TIMELINE_MAX_LIMIT}`);
  return n;
}

function cursorOf(raw: Raw, name: 'since_cursor' | 'before_cursor'): Cursor | undefined {
  const v = single(raw, name);
  if (v === undefined) return undefined;
  const c = decodeCursor(v);
  if (!c) throw bad(`${name}: malformed cursor (expected <iso_occurred_at>|<row_id>)`, 'malformed cursor');
  return c;
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

/** GET /api/v1/activity (seeds/002): every bad parameter is a 400 naming it. */
export function parseTimelineQuery(raw: Raw): TimelineQuery {
  rejectUnknown(raw, ['limit', 'since_cursor', 'before_cursor', 'project_slug', 'action_prefix']);
  return {
    limit: limitOf(raw),
    since: cursorOf(raw, 'since_cursor'),
    before: cursorOf(raw, 'before_cursor'),
    projectSlug: nonEmpty(single(raw, 'project_slug')),
    actionPrefix: nonEmpty(single(raw, 'action_prefix')),
  };
}

/** GET /api/v1/projects/:slug/audit. */
export function parseProjectAuditQuery(raw: Raw): ProjectAuditQuery {
  rejectUnknown(raw, ['limit', 'since_cursor', 'before_cursor', 'action_prefix', 'outcome', 'user_id', 'since', 'until']);
  const outcome = nonEmpty(single(raw, 'outcome'));
  if (outcome !== undefined && outcome !== 'allow' && outcome !== 'deny') throw bad('outcome: must be allow or deny');
  const userId = nonEmpty(single(raw, 'user_id'));
  if (userId !== undefined && !isUUID(userId)) throw bad('user_id: must be a UUID');
  const time = (name: 'since' | 'until') => {
    const v = nonEmpty(single(raw, name));
    if (v !== undefined && !isISO8601(v, { strict: true })) throw bad(`${name}: must be an ISO 8601 timestamp`);
    return v;
  };
  return {
    limit: limitOf(raw),
    since: cursorOf(raw, 'since_cursor'),
    before: cursorOf(raw, 'before_cursor'),
    actionPrefix: nonEmpty(single(raw, 'action_prefix')),
    outcome,
    userId,
    sinceAt: time('since'),
    untilAt: time('until'),
  };
}
