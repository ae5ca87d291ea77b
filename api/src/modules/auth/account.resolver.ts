import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import { ChangePasswordInput, ResetPasswordInput, UnlockAccountInput } from './account.inputs';
import type { AccountService } from './account.service';
import { toPayload } from './auth.resolver';
import { AuthPayload } from './auth.types';

const SAME_ANSWER = 'Always true when accepted: the answer never tells whether the address has an account';

@Resolver()
export class AccountResolver {
  constructor(private readonly account: AccountService) {}

  @Mutation(() => Boolean, {
    description: `Mails a 6-digit sign-up code (valid 10 minutes, 5 attempts) for signUp's emailCode. ${SAME_ANSWER}`,
  })
  async requestEmailCode(
    @Arg('email', { description: 'The address to verify' }) email: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.account.requestEmailCode(email, ctx.ip);
    return true;
  }

  @Mutation(() => Boolean, { description: `Mails a single-use password reset link (valid 30 minutes). ${SAME_ANSWER}` })
  async requestPasswordReset(
    @Arg('email', { description: 'Login email' }) email: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.account.requestPasswordReset(email, ctx.ip);
    return true;
  }

  @Mutation(() => Boolean, {
    description: 'Sets a new password with the mailed token, unlocks the account and logs out every session',
  })
  async resetPassword(
    @Arg('input', () => ResetPasswordInput, { description: 'The mailed token and the new password' })
    input: ResetPasswordInput,
  ): Promise<boolean> {
    await this.account.resetPassword(input.token, input.newPassword);
    return true;
  }

  @Authorized()
  @Mutation(() => AuthPayload, {
    description:
      'Changes your password; every session ends (other devices are logged out) and this one continues with the returned tokens',
  })
  async changePassword(
    @Arg('input', () => ChangePasswordInput, { description: 'Your current and your new password' })
    input: ChangePasswordInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return toPayload(await this.account.changePassword(viewerId(ctx), input.currentPassword, input.newPassword), ctx);
  }

  @Mutation(() => Boolean, { description: `Mails a new unlock code if the account is locked. ${SAME_ANSWER}` })
  async requestUnlockCode(
    @Arg('email', { description: 'Login email' }) email: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.account.requestUnlockCode(email, ctx.ip);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Unlocks an account locked after failed logins, with the mailed code' })
  async unlockAccount(
    @Arg('input', () => UnlockAccountInput, { description: 'The account and the mailed unlock code' })
    input: UnlockAccountInput,
  ): Promise<boolean> {
    await this.account.unlockAccount(input.email, input.code);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Deletes your account for good: email, password, profile, photo, sessions and blocks are erased at once, and you leave ' +
      'every room (the open ones close with ACCOUNT_DELETED); peers keep their history with you shown as a deleted user ' +
      'until they leave it, and the conversations stay sealed for reports until the evidence purge',
  })
  async deleteAccount(
    @Arg('password', { description: 'Your current password, to confirm' }) password: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.account.deleteAccount(viewerId(ctx), password);
    return true;
  }
}
