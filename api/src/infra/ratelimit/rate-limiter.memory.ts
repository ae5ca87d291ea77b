import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createFlexibleFactory } from './rate-limiter.flexible';
import type { RateLimiterFactory } from './rate-limiter.port';

/**
 * Rate limiters in process memory (rate-limiter-flexible's RateLimiterMemory). The budget lives in
 * this factory: it is per process, so N instances each allow `points`. Fine for development, tests
 * and a single instance; use the Redis factory behind a load balancer. Durations round up to whole
 * seconds exactly as on Redis (see `toFlexibleOptions`). Expired keys are dropped by unref'd timers, so
 * nothing keeps the process alive; `dispose()` only stops `create()`.
 */
export function createMemoryRateLimiterFactory(): RateLimiterFactory {
  return createFlexibleFactory('', (options) => new RateLimiterMemory(options));
}
