import {
  Body, Controller, Get, HttpCode, Post, Req, Res, UnauthorizedException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SESSION_COOKIE, XSRF_COOKIE, type MeResponse, type SetupStatus } from '@sylvite/contracts';
import {
  Authenticated, Ctx, Public, clientIp, elapsedMs, redact, type RequestContext,
} from '@sylvite/api-core';
import { AuditWriter, statusOf } from '@sylvite/api-audit';
import { ChangePasswordDto, LoginDto, SetupDto } from './dto';
import { LoginService } from './login.service';
import { PrincipalService } from './principal.service';
import { SessionsService } from './sessions.service';
import { SetupService } from './setup.service';
import { UsersService } from './users.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly logins: LoginService,
    private readonly sessions: SessionsService,
    private readonly principals: PrincipalService,
    private readonly users: UsersService,
    private readonly setup: SetupService,
    private readonly audit: AuditWriter,
  ) {}

  /**
   * Writes its own audit row: allow 200 / deny 401 with the typed username as resource and, on
   * failure, a null user id. A successful sign-in's row is durable before the session exists.
   */
  @Post('login')
  @HttpCode(200)
  @Public()
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Ctx() ctx: RequestContext): Promise<MeResponse> {
    const row = {
      action: 'auth.login',
      resource: `user:${body.username}`,
      args_json: redact({ body }),
      source_ip: clientIp(req),
      user_agent: req.headers['user-agent']?.slice(0, 512) ?? null,
      request_id: ctx.requestId,
    };
    let who: { userId: string; username: string };
    try {
      who = await this.logins.verify({ username: body.username, password: body.password, ip: clientIp(req) });
    } catch (err) {
      this.audit.enqueue({ ...row, user_id: null, decision: 'deny', result_code: statusOf(err), duration_ms: elapsedMs(ctx.startedAt) });
      throw err;
    }
    await this.audit.writeNow({ ...row, user_id: who.userId, decision: 'allow', result_code: 200, duration_ms: elapsedMs(ctx.startedAt) });
    return this.startSession(who.userId, req, res);
  }

  @Get('setup')
  @Public()
  async setupStatus(): Promise<SetupStatus> {
    return { needs_setup: await this.setup.needsSetup() };
  }

  /** First boot: the one-time token from the printed setup URL creates the first admin. */
  @Post('setup')
  @Public('auth.setup', (r) => `user:${(r.body as { username?: string })?.username ?? '?'}`)
  async completeSetup(@Body() body: SetupDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<MeResponse> {
    const userId = await this.setup.completeSetup(body.token, body.username, body.password);
    return this.startSession(userId, req, res);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated('auth.logout')
  async logout(@Ctx() ctx: RequestContext, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (ctx.principal?.sessionId) await this.sessions.revoke(ctx.principal.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(XSRF_COOKIE, { path: '/' });
  }

  @Get('me')
  @Authenticated('auth.me')
  async me(@Ctx() ctx: RequestContext, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<MeResponse> {
    const p = ctx.principal;
    if (!p) throw new UnauthorizedException('sign in required');
    if (p.via === 'session' && p.sessionId) this.setXsrfCookie(req, res, p.sessionId);
    return {
      user: await this.users.get(p.userId),
      permissions: [...p.permissions].sort(),
      memberships: await this.principals.membershipsFor(p.userId),
      auth: p.via,
      session_expires_at: p.sessionExpiresAt?.toISOString() ?? null,
    };
  }

  @Post('change-password')
  @HttpCode(204)
  @Authenticated('auth.change_password')
  async changePassword(@Body() body: ChangePasswordDto, @Ctx() ctx: RequestContext): Promise<void> {
    const p = ctx.principal;
    if (!p) throw new UnauthorizedException('sign in required');
    const ok = await this.users.changePassword(p.userId, body.current_password, body.new_password, p.sessionId);
    if (!ok) throw new UnauthorizedException('current_password: incorrect');
  }

  private async startSession(userId: string, req: Request, res: Response): Promise<MeResponse> {
    const s = await this.sessions.create(userId, clientIp(req), req.headers['user-agent'] ?? null);
    const secure = req.secure;
    res.cookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: s.expiresAt });
    this.setXsrfCookie(req, res, s.id);
    const grants = await this.principals.grantsFor(userId);
    return {
      user: await this.users.get(userId),
      permissions: [...(grants?.permissions ?? [])].sort(),
      memberships: await this.principals.membershipsFor(userId),
      auth: 'session',
      session_expires_at: s.expiresAt.toISOString(),
    };
  }

  private setXsrfCookie(req: Request, res: Response, sessionId: string): void {
    res.cookie(XSRF_COOKIE, this.sessions.xsrfFor(sessionId), { httpOnly: false, sameSite: 'lax', secure: req.secure, path: '/' });
  }
}
