import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import { RateLimitedError, UnavailableError } from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { SmsSender } from '../../infra/sms/sms.port';
import type { PhoneNumbers } from '../users';
import type { PhoneCodes } from './phone-codes';
import { normalisePhone } from './phone-number';

export interface PhoneVerificationDeps {
  orm: Orm;
  codes: PhoneCodes;
  sms: SmsSender;
  phones: PhoneNumbers;
  limiters: {
    /** Codes per number: one per PHONE_CODE_RESEND_INTERVAL. */
    resend: RateLimiter;
    /** Codes per number per hour (PHONE_CODES_PER_HOUR). */
    perPhone: RateLimiter;
    /** Codes per account per hour (PHONE_CODES_PER_HOUR). */
    perUser: RateLimiter;
  };
  logger: Logger;
  clock: Clock;
  defaultCountry: string;
  /** SMS_CODE_TEMPLATE: {code} and {minutes} are filled in. */
  template: string;
  codeTtlMs: number;
}

/**
 * Phone verification: an SMS code to a number, then the code back. A verified number belongs to
 * one account (another account verifying it gets CONFLICT, only after proving it receives the
 * code: the answer never tells whether a number is registered to someone who cannot receive it).
 */
export class PhoneVerificationService {
  constructor(private readonly deps: PhoneVerificationDeps) {}

  /** Sends a 6-digit code to the number (E.164 after normalising); the user's previous code stops working. */
  async requestCode(userId: string, rawPhone: string): Promise<void> {
    const phone = normalisePhone(rawPhone, this.deps.defaultCountry);
    const { resend, perPhone, perUser } = this.deps.limiters;
    for (const [limiter, key, what] of [
      [perUser, userId, 'Too many codes for this account; try again later'],
      [resend, phone, 'A code was just sent to this number; wait a moment before asking again'],
      [perPhone, phone, 'Too many codes to this number; try again later'],
    ] as const) {
      const result = await limiter.consume(key);
      if (!result.allowed) throw new RateLimitedError(what, result.retryAfterMs);
    }
    const code = await this.deps.codes.issue(this.deps.orm.em.fork(), userId, phone);
    const minutes = Math.round(this.deps.codeTtlMs / 60_000);
    const text = this.deps.template.replaceAll('{code}', code).replaceAll('{minutes}', String(minutes));
    try {
      await this.deps.sms.send({ to: phone, text });
    } catch (err) {
      this.deps.logger.warn({ err }, 'SMS gateway refused a verification code');
      // The code never left: the user may ask again at once.
      await resend.reset(phone);
      throw new UnavailableError('The SMS could not be sent; try again shortly', 2000);
    }
  }

  /** Checks the code and makes the number the user's verified phone (CONFLICT: another account has it). */
  async verify(userId: string, rawPhone: string, code: string): Promise<void> {
    const phone = normalisePhone(rawPhone, this.deps.defaultCountry);
    const em = this.deps.orm.em.fork();
    const codeId = await this.deps.codes.verify(em, userId, phone, code.trim());
    await em.transactional(async (tx) => {
      await this.deps.codes.redeem(tx, codeId);
      await this.deps.phones.setVerified(tx, userId, phone, new Date(this.deps.clock()));
    });
  }
}
