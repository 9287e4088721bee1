import {
  CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { decide, XSRF_COOKIE, XSRF_HEADER } from '@sylvite/contracts';
import {
  POLICY_KEY, type PolicyDeclaration, type RequestContext, type ResourceReader, type SylviteRequest,
} from '@sylvite/api-core';
import { AuditWriter, auditRowFor } from '@sylvite/api-audit';
import { InvalidCredentialsError, PrincipalService } from './principal.service';
import { SessionsService } from './sessions.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function read(r: ResourceReader | string | undefined, req: Request): string | undefined {
  return typeof r === 'function' ? r(req) : r;
}

/**
 * `require_perm`: the one global guard, deny by default. It authenticates the caller, checks CSRF
 * on cookie-authenticated mutations, evaluates the route's declared permission with `decide()`,
 * and writes the audit row of every denial itself (interceptors never see a guard's denial).
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly logger = new Logger(PolicyGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditWriter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<SylviteRequest>();
    const decl = this.reflector.getAllAndOverride<PolicyDeclaration | undefined>(POLICY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const ctx: RequestContext = {
      requestId: String(req.id ?? randomUUID()),
      startedAt: process.hrtime.bigint(),
      principal: null,
      action: decl?.action ?? null,
      resource: '*',
    };
    req.sylvite = ctx;

    if (!decl) {
      ctx.action = 'route.undeclared';
      ctx.resource = `route:${req.method} ${req.path}`;
      this.logger.error(`route ${req.method} ${req.path} declares no permission; refused`);
      this.deny(req, ctx, 403);
      throw new ForbiddenException('this route declares no permission and is refused');
    }

    if (decl.kind === 'public') ctx.resource = read(decl.resource, req) ?? '*';
    try {
      ctx.principal = await this.principals.authenticate(req);
    } catch (err) {
      if (!(err instanceof InvalidCredentialsError)) throw err;
      if (decl.kind === 'public') return true;
      this.deny(req, ctx, 401);
      throw new UnauthorizedException(err.message);
    }
    if (decl.kind === 'public') return true;

    const p = ctx.principal;
    if (!p) {
      this.deny(req, ctx, 401);
      throw new UnauthorizedException('sign in required');
    }
    if (p.via === 'session' && !SAFE_METHODS.has(req.method)) {
      const header = req.headers[XSRF_HEADER.toLowerCase()];
      const cookie = (req.cookies as Record<string, string> | undefined)?.[XSRF_COOKIE];
      if (!this.sessions.xsrfValid(p.sessionId ?? '', typeof header === 'string' ? header : undefined, cookie)) {
        ctx.resource = `csrf:${req.method} ${req.path}`;
        this.deny(req, ctx, 403);
        throw new ForbiddenException(`CSRF check failed: send the ${XSRF_COOKIE} cookie's value in the ${XSRF_HEADER} header`);
      }
    }
    if (decl.kind === 'authenticated') {
      ctx.resource = read(decl.resource, req) ?? `user:${p.username}`;
      return true;
    }

    const resource = read(decl.resource, req);
    const label = read(decl.label, req);
    const [, type] = decl.permissions[0].split(':');
    ctx.resource = label ?? `${type}:${resource ?? '*'}`;
    const allowed = decl.permissions.some((perm) => decide(p, perm, resource).allowed);
    if (!allowed) {
      this.deny(req, ctx, 403);
      const wanted = decl.permissions.map((k) => `${k}:${resource ?? '*'}`).join(' or ');
      throw new ForbiddenException(`permission denied: needs ${wanted}`);
    }
    return true;
  }

  private deny(req: Request, ctx: RequestContext, status: number): void {
    this.audit.enqueue({
      ...auditRowFor(req, ctx),
      action: ctx.action ?? 'unknown',
      decision: 'deny',
      result_code: status,
      duration_ms: 0,
    });
  }
}
