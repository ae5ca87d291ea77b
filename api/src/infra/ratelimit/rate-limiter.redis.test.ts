import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import { rateLimiterContract } from './rate-limiter.contract';
import { createRedisRateLimiterFactory } from './rate-limiter.redis';

let redis: TestRedis;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

// Ready before use, as the API's clients are (connectRedis): a client that is not counts in memory.
rateLimiterContract('redis', async () => {
  const client = redis.client();
  await client.ping();
  const factory = createRedisRateLimiterFactory(client, { prefix: redis.prefix });
  return {
    factory,
    cleanup: async () => {
      await factory.dispose();
      await client.quit();
    },
  };
});

describe('Redis rate limiter adapter', () => {
  it('keeps each budget under `${prefix}rl:${policy}:${key}` with the window as its TTL', async () => {
    const client = redis.client();
    await client.ping();
    const limiter = createRedisRateLimiterFactory(client, { prefix: redis.prefix }).create({
      name: 'login',
      points: 5,
      durationMs: 60_000,
    });
    await limiter.consume('alice', 2);
    expect(await client.get(`${redis.prefix}rl:login:alice`)).toBe('2');
    const ttlMs = await client.pttl(`${redis.prefix}rl:login:alice`);
    expect(ttlMs).toBeGreaterThan(55_000);
    expect(ttlMs).toBeLessThanOrEqual(60_000);
  });

  it('counts in process memory while Redis is away: the limit still holds, nothing rejects', async () => {
    const client = redis.client();
    const limiter = createRedisRateLimiterFactory(client, { prefix: redis.prefix }).create({
      name: 'down',
      points: 3,
      durationMs: 60_000,
    });
    await client.ping();
    client.disconnect();
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await limiter.consume('alice')).allowed);
    expect(results).toEqual([true, true, true, false]);
    expect((await limiter.peek('alice')).allowed).toBe(false);
    await limiter.reset('alice');
    expect((await limiter.consume('alice')).allowed).toBe(true);
  });

  it('leaves the client open on dispose', async () => {
    const client = redis.client();
    await createRedisRateLimiterFactory(client, { prefix: redis.prefix }).dispose();
    expect(await client.ping()).toBe('PONG');
  });
});
