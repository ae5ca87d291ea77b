import type { RedisClient } from '../redis/clients';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createFlexibleFactory } from './rate-limiter.flexible';
import type { RateLimiterFactory } from './rate-limiter.port';

export interface RedisRateLimiterOptions {
  /** Prepended to every key: `${prefix}rl:${policy.name}:${key}`. Use '' for none. */
  prefix: string;
}

/**
 * Rate limiters shared by every instance on one Redis (rate-limiter-flexible's RateLimiterRedis: one
 * Lua script per consume, so concurrent calls are counted exactly). Each key is a counter with a TTL
 * of the window (or the block, once blocked); durations round up to whole seconds (see
 * `toFlexibleOptions`).
 *
 * While Redis is away (not connected, or a command fails or times out), the same policy is counted
 * in this process's memory instead (rate-limiter-flexible's `insuranceLimiter`, asked at once when
 * the connection is not ready): limits stay in force, per instance, and the requests they guard keep
 * working on the database. The caller owns the client: `dispose()` does not quit it.
 */
export function createRedisRateLimiterFactory(
  redis: RedisClient,
  options: RedisRateLimiterOptions,
): RateLimiterFactory {
  return createFlexibleFactory(
    options.prefix,
    (flexible) =>
      new RateLimiterRedis({
        ...flexible,
        storeClient: redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(flexible),
      }),
  );
}
