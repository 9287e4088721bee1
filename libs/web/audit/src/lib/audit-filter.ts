import { apiUrl, type QueryParams, toHttpParams } from '@sylvite/web-data-access';

/** The Audit page's filters as the URL carries them (names as GET /api/audit takes them). */
export interface AuditFilter {
  user_id: string | null;
  action_prefix: string | null;
  decision: 'allow' | 'deny' | null;
  resource: string | null;
  /** ISO 8601, inclusive. */
  since: string | null;
  /** ISO 8601, exclusive. */
  until: string | null;
}

export type AuditQueryParams = Partial<Record<keyof AuditFilter, string | null | undefined>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isoOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}

/** Values the API would refuse (a malformed id or date) are dropped so the page still answers. */
export function auditFilterFromQuery(params: AuditQueryParams): AuditFilter {
  const decision = params.decision === 'allow' || params.decision === 'deny' ? params.decision : null;
  return {
    user_id: params.user_id && UUID.test(params.user_id) ? params.user_id : null,
    action_prefix: params.action_prefix?.trim() || null,
    decision,
    resource: params.resource?.trim() || null,
    since: isoOrNull(params.since),
    until: isoOrNull(params.until),
  };
}

export function auditFilterToApi(filter: AuditFilter): QueryParams {
  return { ...filter };
}

export function isFiltered(filter: AuditFilter): boolean {
  return Object.values(filter).some((v) => v !== null);
}

/** The export of exactly what the table shows, as a link the browser downloads with the session cookie. */
export function exportUrl(filter: AuditFilter, format: 'csv' | 'ndjson'): string {
  const params = toHttpParams({ format, ...auditFilterToApi(filter) }).toString();
  return `${apiUrl('/audit/export')}?${params}`;
}

/** `2026-05-12T14:05` in the browser's zone, for a datetime-local input. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The datetime-local value (local time) as an ISO instant; empty → no bound. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
