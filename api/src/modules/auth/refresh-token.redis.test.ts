import { randomUUID } from 'node:crypto';
import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import { authKeys } from './keys';
import { refreshTokenStoreContract } from './refresh-token.contract';
import { createRedisRefreshTokenStore } from './refresh-token.redis';

let redis: TestRedis;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

refreshTokenStoreContract('redis', async () => {
  const client = redis.client();
  const store = createRedisRefreshTokenStore(client, { prefix: redis.prefix });
  return {
    store,
    cleanup: async () => {
      await store.dispose();
      await client.quit();
    },
  };
});

describe('Redis refresh-token store', () => {
  it('stores a family as one hash expiring at expiresAt, listed in a user set that lives at least as long', async () => {
    const client = redis.client();
    const store = createRedisRefreshTokenStore(client, { prefix: redis.prefix });
    const keys = authKeys(redis.prefix);
    const userId = `user-${randomUUID()}`;
    const [soon, later] = [randomUUID(), randomUUID()];
    const now = Date.now();
    await store.createFamily({ familyId: later, userId, tokenHash: 'h1', expiresAt: new Date(now + 120_000) });
    await store.createFamily({ familyId: soon, userId, tokenHash: 'h1', expiresAt: new Date(now + 60_000) });
    await store.rotate(soon, 'h1', 'h2', new Date(now), 1000);

    expect(await client.hgetall(keys.family(soon))).toEqual({
      userId,
      current: 'h2',
      expiresAt: String(now + 60_000),
      'r:h1': String(now),
    });
    expect(await client.pexpiretime(keys.family(soon))).toBe(now + 60_000);
    expect(await client.pexpiretime(keys.userFamilies(userId))).toBe(now + 120_000);
    expect((await client.smembers(keys.userFamilies(userId))).sort()).toEqual([soon, later].sort());
  });

  it('drops the family from the user set when it is revoked or its token is reused', async () => {
    const client = redis.client();
    const store = createRedisRefreshTokenStore(client, { prefix: redis.prefix });
    const keys = authKeys(redis.prefix);
    const userId = `user-${randomUUID()}`;
    const [revoked, reused, kept] = [randomUUID(), randomUUID(), randomUUID()];
    const expiresAt = new Date(Date.now() + 60_000);
    for (const familyId of [revoked, reused, kept])
      await store.createFamily({ familyId, userId, tokenHash: 'h1', expiresAt });
    await store.revokeFamily(revoked);
    await store.rotate(reused, 'h1', 'h2', new Date(0), 0);
    expect(await store.rotate(reused, 'h1', 'h3', new Date(1), 0)).toEqual({ status: 'reused' });
    expect(await client.exists(keys.family(revoked), keys.family(reused))).toBe(0);
    expect(await client.smembers(keys.userFamilies(userId))).toEqual([kept]);
  });

  it('drops a family created with an expiresAt already past at once', async () => {
    const client = redis.client();
    const store = createRedisRefreshTokenStore(client, { prefix: redis.prefix });
    const familyId = randomUUID();
    await store.createFamily({ familyId, userId: 'u', tokenHash: 'h1', expiresAt: new Date(Date.now() - 1) });
    expect(await client.exists(authKeys(redis.prefix).family(familyId))).toBe(0);
    expect(await store.revokeFamily(familyId)).toBeNull();
  });
});
