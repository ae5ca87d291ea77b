import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import { rateLimiterContract } from './rate-limiter.contract';
import { createRedisRateLimiterFactory } from './rate-limiter.redis';

let redis: TestRedis;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

rateLimiterContract('redis', async () => {
  const client = redis.client();
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

  it('rejects consume, peek and reset when Redis fails instead of allowing or refusing', async () => {
    const client = redis.client();
    const limiter = createRedisRateLimiterFactory(client, { prefix: redis.prefix }).create({
      name: 'down',
      points: 5,
      durationMs: 60_000,
    });
    await client.ping();
    client.disconnect();
    await expect(limiter.consume('alice')).rejects.toThrow('Connection is closed');
    await expect(limiter.peek('alice')).rejects.toThrow('Connection is closed');
    await expect(limiter.reset('alice')).rejects.toThrow('Connection is closed');
  });

  it('leaves the client open on dispose', async () => {
    const client = redis.client();
    await createRedisRateLimiterFactory(client, { prefix: redis.prefix }).dispose();
    expect(await client.ping()).toBe('PONG');
  });
});
