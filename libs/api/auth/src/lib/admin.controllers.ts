import {
  Body, Controller, Delete, ForbiddenException, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, UnauthorizedException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { ApiTokenDto, CreatedApiTokenDto, RoleDto, UserDto } from '@sylvite/contracts';
import { Authenticated, Ctx, RequirePerm, type RequestContext } from '@sylvite/api-core';
import {
  CreateRoleDto, CreateTokenDto, CreateUserDto, ResetPasswordDto, RoleAssignDto, UpdateRoleDto, UpdateUserDto,
} from './dto';
import { RolesService } from './roles.service';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';

const userRes = (req: Request) => `user:${req.params['id'] ?? '*'}`;
const roleRes = (req: Request) => `role:${req.params['name'] ?? req.body?.name ?? '*'}`;

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequirePerm('view:user', { action: 'user.list', resource: '*' })
  list(): Promise<UserDto[]> {
    return this.users.list();
  }

  @Get(':id')
  @RequirePerm('view:user', { action: 'user.read', resource: '*', label: userRes })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Post()
  @RequirePerm('manage:user', { action: 'user.create', resource: '*', label: (r) => `user:${r.body?.username ?? '?'}` })
  create(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(body);
  }

  @Patch(':id')
  @RequirePerm('manage:user', { action: 'user.update', resource: '*', label: userRes })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePerm('manage:user', { action: 'user.delete', resource: '*', label: userRes })
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.users.remove(id);
  }

  @Post(':id/password')
  @HttpCode(204)
  @RequirePerm('manage:user', { action: 'user.password_reset', resource: '*', label: userRes })
  resetPassword(@Param('id', ParseUUIDPipe) id: string, @Body() body: ResetPasswordDto): Promise<void> {
    return this.users.resetPassword(id, body.password);
  }

  @Post(':id/roles')
  @RequirePerm('manage:user', { action: 'user.role_add', resource: '*', label: userRes })
  addRole(@Param('id', ParseUUIDPipe) id: string, @Body() body: RoleAssignDto): Promise<UserDto> {
    return this.users.addRole(id, body.role);
  }

  @Delete(':id/roles/:role')
  @RequirePerm('manage:user', { action: 'user.role_remove', resource: '*', label: userRes })
  removeRole(@Param('id', ParseUUIDPipe) id: string, @Param('role') role: string): Promise<UserDto> {
    return this.users.removeRole(id, role);
  }
}

@ApiTags('roles')
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @RequirePerm('view:role', { action: 'role.list', resource: '*' })
  list(): Promise<RoleDto[]> {
    return this.roles.list();
  }

  @Post()
  @RequirePerm('manage:role', { action: 'role.create', resource: '*', label: roleRes })
  create(@Body() body: CreateRoleDto): Promise<RoleDto> {
    return this.roles.create(body);
  }

  @Patch(':name')
  @RequirePerm('manage:role', { action: 'role.update', resource: '*', label: roleRes })
  update(@Param('name') name: string, @Body() body: UpdateRoleDto): Promise<RoleDto> {
    return this.roles.update(name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequirePerm('manage:role', { action: 'role.delete', resource: '*', label: roleRes })
  remove(@Param('name') name: string): Promise<void> {
    return this.roles.remove(name);
  }
}

/** Each user's own API tokens. */
@ApiTags('tokens')
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @Authenticated('token.list')
  list(@Ctx() ctx: RequestContext): Promise<ApiTokenDto[]> {
    return this.tokens.list(principal(ctx).userId);
  }

  @Post()
  @Authenticated('token.create', (r) => `token:${r.body?.name ?? '?'}`)
  create(@Body() body: CreateTokenDto, @Ctx() ctx: RequestContext): Promise<CreatedApiTokenDto> {
    const p = principal(ctx);
    // A token that could mint tokens would outlive its own revocation.
    if (p.via === 'token') throw new ForbiddenException('API tokens cannot create tokens: sign in to create one');
    return this.tokens.create(p.userId, p.permissions, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated('token.revoke', (r) => `token:${r.params['id']}`)
  revoke(@Param('id', ParseUUIDPipe) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.tokens.revoke(principal(ctx).userId, id);
  }
}

function principal(ctx: RequestContext) {
  if (!ctx.principal) throw new UnauthorizedException('sign in required');
  return ctx.principal;
}
