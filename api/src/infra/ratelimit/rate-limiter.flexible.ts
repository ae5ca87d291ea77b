import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimiter, RateLimiterFactory, RateLimitPolicy, RateLimitResult } from './rate-limiter.port';

/** What a backend needs to build one rate-limiter-flexible limiter. */
export interface FlexibleOptions {
  /** `${prefix}rl:${policy.name}`; rate-limiter-flexible appends `:${key}`. */
  keyPrefix: string;
  points: number;
  /** Whole seconds, at least 1. */
  duration: number;
  /** Whole seconds; 0 or at least `duration`. */
  blockDuration: number;
}

const POLICY_NAME = /^[a-z0-9:_-]+$/;

/**
 * Converts a policy to rate-limiter-flexible options, which count in seconds:
 * - `durationMs` and `blockDurationMs` are rounded UP to whole seconds (so 1 ms..1000 ms is 1 s and
 *   1500 ms is 2 s). RateLimiterRedis floors fractional seconds and treats 0 s as "never expires",
 *   so sub-second values must never reach it; both backends round the same way.
 * - `blockDurationMs` must be 0 or, once rounded, at least the window: rate-limiter-flexible blocks
 *   by re-setting the key's expiry to the block length, so a shorter block would end the window
 *   early and hand out a fresh budget.
 * Throws RangeError for a policy that cannot be honoured.
 */
export function toFlexibleOptions(policy: RateLimitPolicy, prefix: string): FlexibleOptions {
  const { name, points, durationMs, blockDurationMs = 0 } = policy;
  if (!POLICY_NAME.test(name)) throw new RangeError(`policy name must match ${String(POLICY_NAME)}, got "${name}"`);
  if (!Number.isInteger(points) || points < 1)
    throw new RangeError(`policy "${name}": points must be a positive integer, got ${points}`);
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new RangeError(`policy "${name}": durationMs must be a positive number of milliseconds, got ${durationMs}`);
  }
  if (!Number.isFinite(blockDurationMs) || blockDurationMs < 0) {
    throw new RangeError(`policy "${name}": blockDurationMs must be 0 or more milliseconds, got ${blockDurationMs}`);
  }
  const duration = Math.ceil(durationMs / 1000);
  const blockDuration = Math.ceil(blockDurationMs / 1000);
  if (blockDuration > 0 && blockDuration < duration) {
    throw new RangeError(
      `policy "${name}": blockDurationMs must be 0 or at least durationMs (${durationMs}), got ${blockDurationMs}`,
    );
  }
  return { keyPrefix: `${prefix}rl:${name}`, points, duration, blockDuration };
}

/**
 * One RateLimiterFactory over a backend that builds rate-limiter-flexible limiters. A policy name is
 * one budget per key: creating the same name again returns a limiter on the same budget, creating it
 * with different numbers throws (on this factory; other instances cannot be checked).
 */
export function createFlexibleFactory(
  prefix: string,
  build: (options: FlexibleOptions) => RateLimiterAbstract,
): RateLimiterFactory {
  const created = new Map<string, { options: FlexibleOptions; limiter: RateLimiter }>();
  let disposed = false;
  return {
    create(policy) {
      if (disposed) throw new Error('RateLimiterFactory is disposed');
      const options = toFlexibleOptions(policy, prefix);
      const existing = created.get(policy.name);
      if (existing) {
        if (JSON.stringify(existing.options) !== JSON.stringify(options)) {
          throw new RangeError(`policy "${policy.name}" was already created with other points or durations`);
        }
        return existing.limiter;
      }
      const limiter = wrap({ ...policy }, build(options));
      created.set(policy.name, { options, limiter });
      return limiter;
    },
    async dispose() {
      disposed = true;
      created.clear();
    },
  };
}

function wrap(policy: RateLimitPolicy, flexible: RateLimiterAbstract): RateLimiter {
  const full: RateLimitResult = { allowed: true, remaining: policy.points, retryAfterMs: 0 };
  const rejected = (res: RateLimiterRes): RateLimitResult => ({
    allowed: false,
    remaining: 0,
    retryAfterMs: Math.max(1, Math.ceil(res.msBeforeNext)),
  });
  return {
    policy,
    async consume(key, points = 1) {
      if (!Number.isInteger(points) || points < 1)
        throw new RangeError(`points must be a positive integer, got ${points}`);
      try {
        const res = await flexible.consume(key, points);
        return { allowed: true, remaining: res.remainingPoints, retryAfterMs: 0 };
      } catch (error) {
        // A RateLimiterRes is the budget saying no; anything else (Redis down) is a real failure.
        if (error instanceof RateLimiterRes) return rejected(error);
        throw error;
      }
    },
    async peek(key) {
      const res = await flexible.get(key);
      // Memory keeps an expired record (negative msBeforeNext) until its timer fires: a full budget.
      // At exactly 0 ms Redis still holds the key and a consume would be rejected, so 0 is not expired.
      if (res === null || res.msBeforeNext < 0) return full;
      return res.remainingPoints > 0
        ? { allowed: true, remaining: res.remainingPoints, retryAfterMs: 0 }
        : rejected(res);
    },
    async reset(key) {
      await flexible.delete(key);
    },
  };
}
