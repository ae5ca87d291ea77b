import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import { toUserObject, UserObject, type ProfileService } from '../users';
import type { PhoneVerificationService } from './phone.service';
import { TrustPolicy } from './trust.types';

@Resolver()
export class TrustResolver {
  constructor(
    private readonly phones: PhoneVerificationService,
    private readonly profile: ProfileService,
    private readonly policy: () => TrustPolicy,
  ) {}

  @Query(() => TrustPolicy, { description: "The server's safety rules (no token needed)" })
  trustPolicy(): TrustPolicy {
    return this.policy();
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Sends a 6-digit code by SMS to the number (Korean numbers as dialled, e.g. 010-1234-5678, or +country code), ' +
      'valid PHONE_CODE_TTL (5 minutes) for PHONE_CODE_MAX_ATTEMPTS (5) guesses; a new one replaces the last. ' +
      'BAD_USER_INPUT (field phone) for a number that cannot receive SMS',
  })
  async requestPhoneCode(
    @Arg('phone', { description: 'The mobile number to verify' }) phone: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.phones.requestCode(viewerId(ctx), phone);
    return true;
  }

  @Authorized()
  @Mutation(() => UserObject, {
    description:
      'Verifies the number with the code from requestPhoneCode and returns your account (phoneVerified: true). ' +
      'BAD_USER_INPUT (field code) for a wrong, used-up or expired code; CONFLICT when another account verified the number',
  })
  async verifyPhone(
    @Arg('phone', { description: 'The number the code was sent to, as given to requestPhoneCode' }) phone: string,
    @Arg('code', { description: 'The 6 digits from the SMS' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<UserObject> {
    await this.phones.verify(viewerId(ctx), phone, code);
    return toUserObject(await this.profile.me(viewerId(ctx)), viewerId(ctx));
  }
}
