import type { Clock } from '../../infra/clock';
import { RateLimitedError } from '../../infra/graphql/errors';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import { phoneRequired, type UserFields } from '../users';

export interface MatchGateOptions {
  /** REQUIRE_PHONE_VERIFICATION: matching needs a verified phone. */
  requirePhoneVerification: boolean;
  /** NEW_ACCOUNT_PERIOD: an account is new this long after sign-up. */
  newAccountPeriodMs: number;
  /** requestMatch per new account (NEW_ACCOUNT_MATCH_REQUESTS_PER_MINUTE), on top of the usual limit. */
  newAccountLimiter: RateLimiter;
  clock: Clock;
}

/** What `requestMatch` checks of the caller before queueing: throws FORBIDDEN or RATE_LIMITED. */
export type MatchGate = (user: UserFields) => Promise<void>;

/** The safety rules on matching (issue L): a verified phone when required, new accounts' tighter limit. */
export function createMatchGate(options: MatchGateOptions): MatchGate {
  return async (user) => {
    if (options.requirePhoneVerification && !user.phoneVerifiedAt) throw phoneRequired('find a match');
    if (options.clock() - user.createdAt.getTime() >= options.newAccountPeriodMs) return;
    const limit = await options.newAccountLimiter.consume(user.id);
    if (!limit.allowed) {
      const perMinute = options.newAccountLimiter.policy.points;
      throw new RateLimitedError(
        `New accounts may request ${perMinute} matches a minute in their first day; slow down`,
        limit.retryAfterMs,
      );
    }
  };
}
