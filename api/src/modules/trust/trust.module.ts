import { createHmac } from 'node:crypto';
import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import type { Logger } from '../../infra/logger';
import type { RateLimiterFactory } from '../../infra/ratelimit/rate-limiter.port';
import type { SmsSender } from '../../infra/sms/sms.port';
import { UserErasing, type UsersModule } from '../users';
import { PhoneCode } from './phone-code.entity';
import { PhoneCodes } from './phone-codes';
import { PhoneVerificationService } from './phone.service';
import { TrustResolver } from './trust.resolver';
import { TrustPolicy } from './trust.types';

export interface TrustModuleDeps {
  orm: Orm;
  events: DomainEvents;
  limiters: RateLimiterFactory;
  logger: Logger;
  users: Pick<UsersModule, 'profile' | 'phones' | 'ages'>;
  /** How codes leave: the HTTP SMS gateway or the dev outbox. */
  sms: SmsSender;
  /** SMS codes are keyed by an HMAC of it. */
  jwtSecret: string;
  clock: Clock;
  config: {
    trust: { requirePhoneVerification: boolean; linkGuardMessages: number };
    phone: {
      defaultCountry: string;
      codeTtlMs: number;
      codeMaxAttempts: number;
      codeResendIntervalMs: number;
      codesPerHour: number;
      codeTemplate: string;
    };
  };
}

/**
 * Safety and trust (issue L): phone verification (SMS codes, one account per number) and the
 * policy clients read (`trustPolicy`). The rules themselves act where they apply: the age rule in
 * users, the link guard and new accounts' send limit in chat, the gates in chat and matching.
 */
export function createTrustModule(deps: TrustModuleDeps) {
  const { orm, limiters, users, config, clock } = deps;
  const { phone } = config;
  const perHour = (name: string) => limiters.create({ name, points: phone.codesPerHour, durationMs: 3_600_000 });
  const verification = new PhoneVerificationService({
    orm,
    codes: new PhoneCodes({
      secret: createHmac('sha256', deps.jwtSecret).update('randchat phone codes').digest('base64url'),
      ttlMs: phone.codeTtlMs,
      maxAttempts: phone.codeMaxAttempts,
      clock,
    }),
    sms: deps.sms,
    phones: users.phones,
    limiters: {
      resend: limiters.create({ name: 'phone-resend', points: 1, durationMs: phone.codeResendIntervalMs }),
      perPhone: perHour('phone-hourly'),
      perUser: perHour('phone-user-hourly'),
    },
    logger: deps.logger,
    clock,
    defaultCountry: phone.defaultCountry,
    template: phone.codeTemplate,
    codeTtlMs: phone.codeTtlMs,
  });
  const policy = () =>
    Object.assign(new TrustPolicy(), {
      phoneVerificationRequired: config.trust.requirePhoneVerification,
      adultAge: users.ages.adultAge,
      maxAdultBirthYear: users.ages.latestAdultBirthYear(),
      linkGuardMessages: config.trust.linkGuardMessages,
    });

  deps.events.on(UserErasing, async ({ tx, userId }) => {
    await tx.nativeDelete(PhoneCode, { user: userId });
  });

  return {
    verification,
    resolvers: [new TrustResolver(verification, users.profile, policy)],
    stop: () => deps.sms.dispose(),
  };
}

export type TrustModule = ReturnType<typeof createTrustModule>;
