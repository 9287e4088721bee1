import { Global, Module } from '@nestjs/common';
import { RateLimiter } from '@sylvite/api-core';
import { AuthController } from './auth.controller';
import { RolesController, TokensController, UsersController } from './admin.controllers';
import { LoginService } from './login.service';
import { PasswordService } from './password.service';
import { PolicyGuard } from './policy.guard';
import { PrincipalService } from './principal.service';
import { RolesService } from './roles.service';
import { SessionsService } from './sessions.service';
import { SetupService } from './setup.service';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';

@Global()
@Module({
  controllers: [AuthController, UsersController, RolesController, TokensController],
  providers: [
    PasswordService, SessionsService, PrincipalService, LoginService, SetupService, UsersService, RolesService,
    TokensService, PolicyGuard, RateLimiter,
  ],
  exports: [PolicyGuard, PrincipalService, SessionsService, SetupService, UsersService, RateLimiter],
})
export class AuthModule {}
