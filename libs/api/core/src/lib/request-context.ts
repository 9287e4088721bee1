import type { Request } from 'express';
import type { Principal } from '@sylvite/contracts';

export interface AuthenticatedPrincipal extends Principal {
  userId: string;
  username: string;
  /** Holds `*:*:*` through a role: sees everything, fleet-wide rows included. */
  isAdmin: boolean;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
  sessionExpiresAt?: Date;
}

/** What the guard learned about a request, read by the interceptor, services and the audit writer. */
export interface RequestContext {
  requestId: string;
  startedAt: bigint;
  principal: AuthenticatedPrincipal | null;
  action: string | null;
  resource: string;
  /** The audit row written before a mutating request's effect (fail closed), completed afterwards. */
  auditId?: string;
  /** Set by services that dispatch Salt jobs. */
  saltJid?: string;
  /** Minions the action touched (for the row's project). */
  minions?: string[];
}

export type SylviteRequest = Request & { sylvite?: RequestContext; id?: string | number };

export function requestContext(req: Request): RequestContext | undefined {
  return (req as SylviteRequest).sylvite;
}

export function clientIp(req: Request): string | null {
  const ip = req.ip ?? req.socket?.remoteAddress ?? null;
  if (!ip) return null;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export function elapsedMs(startedAt: bigint): number {
  return Number((process.hrtime.bigint() - startedAt) / 1_000_000n);
}
