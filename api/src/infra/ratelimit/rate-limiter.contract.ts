import { waitFor } from '../../../test/utils/wait-for';
import type { RateLimiterFactory, RateLimitPolicy } from './rate-limiter.port';

export interface RateLimiterBackend {
  factory: RateLimiterFactory;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every RateLimiterFactory must show. Every call of `makeFactory` must return a factory
 * on the same backend (the suite checks that two of them share budgets); the suite keeps tests apart
 * with unique policy names.
 */
export function rateLimiterContract(name: string, makeFactory: () => Promise<RateLimiterBackend>): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let factory: RateLimiterFactory;
    const cleanups: Array<() => Promise<void>> = [];
    let policies = 0;
    const policy = (fields: Omit<RateLimitPolicy, 'name'>): RateLimitPolicy => ({
      name: `contract:p${++policies}`,
      ...fields,
    });
    const backend = async (): Promise<RateLimiterFactory> => {
      const created = await makeFactory();
      cleanups.push(() => created.cleanup());
      return created.factory;
    };

    beforeEach(async () => {
      factory = await backend();
    });
    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });

    describe('budget', () => {
      it('allows exactly `points` calls, then rejects with a retry delay within the window', async () => {
        const limiter = factory.create(policy({ points: 3, durationMs: 60_000 }));
        expect(await limiter.consume('alice')).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
        expect(await limiter.consume('alice')).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
        expect(await limiter.consume('alice')).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
        const rejected = await limiter.consume('alice');
        expect(rejected).toMatchObject({ allowed: false, remaining: 0 });
        expect(rejected.retryAfterMs).toBeGreaterThan(0);
        expect(rejected.retryAfterMs).toBeLessThanOrEqual(60_000);
      });

      it('spends several points in one call', async () => {
        const limiter = factory.create(policy({ points: 5, durationMs: 60_000 }));
        expect(await limiter.consume('alice', 3)).toMatchObject({ allowed: true, remaining: 2 });
        expect(await limiter.consume('alice', 3)).toMatchObject({ allowed: false, remaining: 0 });
      });

      it('keeps keys and policy names independent', async () => {
        const login = factory.create(policy({ points: 1, durationMs: 60_000 }));
        const signUp = factory.create(policy({ points: 1, durationMs: 60_000 }));
        await login.consume('alice');
        expect(await login.consume('alice')).toMatchObject({ allowed: false });
        expect(await login.consume('bob')).toMatchObject({ allowed: true });
        expect(await signUp.consume('alice')).toMatchObject({ allowed: true });
      });

      it('allows exactly 10 of 50 concurrent calls on a 10-point budget', async () => {
        const limiter = factory.create(policy({ points: 10, durationMs: 60_000 }));
        const results = await Promise.all(Array.from({ length: 50 }, () => limiter.consume('alice')));
        expect(results.filter((r) => r.allowed)).toHaveLength(10);
        expect(results.filter((r) => !r.allowed).every((r) => r.remaining === 0 && r.retryAfterMs > 0)).toBe(true);
      });
    });

    describe('peek and reset', () => {
      it('reads the budget without spending it', async () => {
        const limiter = factory.create(policy({ points: 2, durationMs: 60_000 }));
        expect(await limiter.peek('alice')).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
        await limiter.consume('alice');
        expect(await limiter.peek('alice')).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
        expect(await limiter.peek('alice')).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
        expect(await limiter.consume('alice')).toMatchObject({ allowed: true, remaining: 0 });
      });

      it('reports an exhausted key as not allowed, with the retry delay', async () => {
        const limiter = factory.create(policy({ points: 1, durationMs: 60_000 }));
        await limiter.consume('alice');
        const peeked = await limiter.peek('alice');
        expect(peeked).toMatchObject({ allowed: false, remaining: 0 });
        expect(peeked.retryAfterMs).toBeGreaterThan(0);
        expect(peeked.retryAfterMs).toBeLessThanOrEqual(60_000);
      });

      it('restores the full budget on reset, and resetting an unknown key is a no-op', async () => {
        const limiter = factory.create(policy({ points: 2, durationMs: 60_000 }));
        await limiter.consume('alice', 2);
        await limiter.reset('alice');
        await limiter.reset('alice');
        await limiter.reset('nobody');
        expect(await limiter.peek('alice')).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
        expect(await limiter.consume('alice')).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
      });
    });

    describe('time', () => {
      it('gives a fresh budget once the window has passed', async () => {
        const limiter = factory.create(policy({ points: 1, durationMs: 1000 }));
        await limiter.consume('alice');
        expect(await limiter.consume('alice')).toMatchObject({ allowed: false });
        await waitFor(async () => (await limiter.peek('alice')).allowed, {
          timeoutMs: 3000,
          message: 'the 1 s window ended',
        });
        expect(await limiter.consume('alice')).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
      });

      it('rounds a sub-second window up to one second, and still ends it', async () => {
        const limiter = factory.create(policy({ points: 1, durationMs: 200 }));
        await limiter.consume('alice');
        const rejected = await limiter.consume('alice');
        expect(rejected.retryAfterMs).toBeGreaterThan(200);
        expect(rejected.retryAfterMs).toBeLessThanOrEqual(1000);
        await waitFor(async () => (await limiter.peek('alice')).allowed, {
          timeoutMs: 3000,
          message: 'the rounded 1 s window ended',
        });
      });

      it('keeps rejecting for blockDurationMs from the first rejected call, past the window', async () => {
        const limiter = factory.create(policy({ points: 1, durationMs: 1000, blockDurationMs: 2000 }));
        await limiter.consume('alice');
        const rejectedAt = Date.now();
        const rejected = await limiter.consume('alice');
        expect(rejected).toMatchObject({ allowed: false, remaining: 0 });
        expect(rejected.retryAfterMs).toBeGreaterThan(1000);
        expect(rejected.retryAfterMs).toBeLessThanOrEqual(2000);
        // Calls during the block are rejected too but do not prolong it.
        expect((await limiter.consume('alice')).retryAfterMs).toBeLessThanOrEqual(rejected.retryAfterMs);
        await waitFor(async () => (await limiter.peek('alice')).allowed, {
          timeoutMs: 4000,
          message: 'the 2 s block ended',
        });
        expect(Date.now() - rejectedAt).toBeGreaterThanOrEqual(1900);
        expect(await limiter.consume('alice')).toMatchObject({ allowed: true });
      });
    });

    describe('sharing', () => {
      it('shares one budget between two factories on the same backend', async () => {
        const shared = policy({ points: 2, durationMs: 60_000 });
        const other = await backend();
        await factory.create(shared).consume('alice');
        await other.create(shared).consume('alice');
        expect(await factory.create(shared).consume('alice')).toMatchObject({ allowed: false });
        expect(await other.create(shared).peek('alice')).toMatchObject({ allowed: false });
      });

      it('refuses to redefine a policy name with other numbers', () => {
        const first = policy({ points: 2, durationMs: 60_000 });
        factory.create(first);
        expect(() => factory.create({ ...first, points: 3 })).toThrow(RangeError);
      });
    });

    describe('policies', () => {
      it.each<[string, Partial<RateLimitPolicy>]>([
        ['a name outside [a-z0-9:_-]', { name: 'Login Attempts' }],
        ['zero points', { points: 0 }],
        ['fractional points', { points: 1.5 }],
        ['a zero window', { durationMs: 0 }],
        ['a block shorter than the window', { durationMs: 60_000, blockDurationMs: 1000 }],
      ])('rejects a policy with %s', (_, fields) => {
        expect(() => factory.create({ ...policy({ points: 1, durationMs: 1000 }), ...fields })).toThrow(RangeError);
      });

      it('rejects a consume of zero or fractional points', async () => {
        const limiter = factory.create(policy({ points: 5, durationMs: 60_000 }));
        await expect(limiter.consume('alice', 0)).rejects.toThrow(RangeError);
        await expect(limiter.consume('alice', 1.5)).rejects.toThrow(RangeError);
      });
    });
  });
}
