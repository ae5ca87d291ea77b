import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../infra/graphql/context';
import { UnauthenticatedError } from '../../infra/graphql/errors';
import { toUserObject } from '../users';
import { LogInInput, SignUpInput } from './auth.inputs';
import type { AuthService } from './auth.service';
import type { Session, SessionService } from './sessions.service';
import { AuthPayload } from './auth.types';

/** The GraphQL answer for a new session; also sets the HttpOnly refresh cookie. */
export function toPayload(session: Session, ctx: Context): AuthPayload {
  ctx.refreshCookie.set(session.refreshToken, session.refreshTokenExpiresAt);
  return Object.assign(new AuthPayload(), {
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    accessTokenExpiresAt: session.accessTokenExpiresAt,
    user: toUserObject(session.user, session.user.id),
  });
}

@Resolver()
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
  ) {}

  @Mutation(() => AuthPayload, {
    description: 'Creates an account and logs it in (also sets the HttpOnly refresh cookie)',
  })
  async signUp(
    @Arg('input', () => SignUpInput, { description: 'The new account' }) input: SignUpInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return toPayload(await this.auth.signUp(ctx.em, input, ctx.ip), ctx);
  }

  @Mutation(() => AuthPayload, { description: 'Starts a login session (also sets the HttpOnly refresh cookie)' })
  async logIn(
    @Arg('input', () => LogInInput, { description: 'Your credentials' }) input: LogInInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return toPayload(await this.auth.logIn(ctx.em, input, ctx.ip), ctx);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Exchanges a refresh token (argument, or the refresh cookie when absent) for new tokens; the old one stops working',
  })
  async refreshToken(
    @Arg('refreshToken', () => String, { nullable: true, description: 'Omit to use the HttpOnly refresh cookie' })
    token: string | null,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    const presented = token ?? ctx.refreshCookie.read();
    if (!presented) throw new UnauthenticatedError('No refresh token: pass refreshToken or send the refresh cookie');
    return toPayload(await this.sessions.refresh(ctx.em, presented), ctx);
  }

  @Mutation(() => Boolean, {
    description:
      "Ends the login session of the refresh token (argument, cookie, or the caller's access token); false if none was live",
  })
  async logOut(
    @Arg('refreshToken', () => String, {
      nullable: true,
      description: 'Omit to use the refresh cookie or the current session',
    })
    token: string | null,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const ended = await this.sessions.logOut(token ?? ctx.refreshCookie.read(), ctx.auth.user);
    ctx.refreshCookie.clear();
    return ended;
  }
}
