import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../../infra/db/orm';
import { ConflictError, ForbiddenError } from '../../infra/graphql/errors';
import { User } from './user.entity';

/** `extensions.reason` of the FORBIDDEN answered without a verified phone (REQUIRE_PHONE_VERIFICATION). */
export const PHONE_VERIFICATION_REQUIRED = 'PHONE_VERIFICATION_REQUIRED';

/** The refusal of `what` (e.g. "send messages") to an account without a verified phone. */
export function phoneRequired(what: string): ForbiddenError {
  return new ForbiddenError(`Verify your phone number to ${what} (requestPhoneCode, then verifyPhone)`, {
    reason: PHONE_VERIFICATION_REQUIRED,
  });
}

/** The verified-phone columns of `users`, written for the phone module: one account per number. */
export class PhoneNumbers {
  /** Sets the user's verified number (E.164) in the caller's transaction; CONFLICT when another account has it. */
  async setVerified(tx: Em, userId: string, phone: string, at: Date): Promise<void> {
    try {
      await tx.nativeUpdate(User, { id: userId, deletedAt: null }, { phone, phoneVerifiedAt: at });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException)
        throw new ConflictError('This phone number is already verified on another account');
      throw err;
    }
  }
}
