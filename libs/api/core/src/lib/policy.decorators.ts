import { SetMetadata, applyDecorators, createParamDecorator, ExecutionContext, InternalServerErrorException } from '@nestjs/common';
import type { Request } from 'express';
import type { PermissionKey } from '@sylvite/contracts';
import type { RequestContext } from './request-context';

export const POLICY_KEY = 'sylvite:policy';

/** How a route's resource is read from the request: a minion id, a user name, `*` … */
export type ResourceReader = (req: Request) => string | undefined;

export type PolicyDeclaration =
  | { kind: 'public'; action?: string; resource?: ResourceReader | string }
  | { kind: 'authenticated'; action: string; resource?: ResourceReader | string }
  | {
      kind: 'permission';
      /** One key, or several of which any one suffices (e.g. activity: view job, key or minion). */
      permissions: PermissionKey[];
      /** The audit action, dotted: `salt.run`, `key.accept`, `user.create`. */
      action: string;
      /**
       * The resource checked against the grant's pattern. Omitted: any grant of the kind allows the
       * call and the service narrows the result to the caller's scope.
       */
      resource?: ResourceReader | string;
      /** The audit row's resource label when it differs from the checked resource (`user:alice`). */
      label?: ResourceReader | string;
    };

/**
 * Declares what a route needs. Every route declares this, `@Authenticated()` or `@Public()`: the
 * global guard refuses anything else (deny by default), and a test enumerates every route.
 */
export function RequirePerm(
  permission: PermissionKey | PermissionKey[],
  options: { action: string; resource?: ResourceReader | string; label?: ResourceReader | string },
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(POLICY_KEY, {
      kind: 'permission',
      permissions: Array.isArray(permission) ? permission : [permission],
      ...options,
    } satisfies PolicyDeclaration),
  );
}

/** Any signed-in user (session or API token); still audited under `action`. */
export function Authenticated(action: string, resource?: ResourceReader | string): MethodDecorator & ClassDecorator {
  return SetMetadata(POLICY_KEY, { kind: 'authenticated', action, resource } satisfies PolicyDeclaration);
}

/**
 * No sign-in needed (login, first-boot setup, health). With an action, a mutating call is audited
 * like any other; without one, the handler audits itself (login) or it is not audited (health).
 */
export function Public(action?: string, resource?: ResourceReader | string): MethodDecorator & ClassDecorator {
  return SetMetadata(POLICY_KEY, { kind: 'public', action, resource } satisfies PolicyDeclaration);
}

export function describePolicy(p: PolicyDeclaration | undefined): string {
  if (!p) return 'UNDECLARED';
  if (p.kind === 'public') return p.action ? `public (${p.action})` : 'public';
  if (p.kind === 'authenticated') return `authenticated (${p.action})`;
  const res = typeof p.resource === 'string' ? p.resource : p.resource ? '<from request>' : '<scoped>';
  return `${p.permissions.map((k) => `${k}:${res}`).join(' | ')} (${p.action})`;
}

/** The request context the guard attached; fails loudly (500) when the guard did not run. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  const req = ctx.switchToHttp().getRequest<Request & { sylvite?: RequestContext }>();
  if (!req.sylvite) throw new InternalServerErrorException('policy guard did not run for this route');
  return req.sylvite;
});
