import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import { presenceKey } from './keys';
import { presenceContract } from './presence.contract';
import { createRedisPresence } from './presence.redis';

let redis: TestRedis;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

presenceContract('redis', async (options) => createRedisPresence(redis.client(), { ...options, prefix: redis.prefix }));

describe('Redis presence adapter', () => {
  it("keeps one user's holds in one key, which expires ttlMs after the last hold", async () => {
    const client = redis.client();
    const presence = createRedisPresence(client, { instanceId: 'i1', ttlMs: 30_000, prefix: redis.prefix });
    await presence.hold(['u1']);
    const key = presenceKey(redis.prefix, 'u1');
    expect(await client.zrange(key, 0, -1)).toEqual(['i1']);
    const ttlMs = await client.pttl(key);
    expect(ttlMs).toBeGreaterThan(25_000);
    expect(ttlMs).toBeLessThanOrEqual(30_000);
    await presence.release('u1');
    expect(await client.exists(key)).toBe(0);
  });
});
