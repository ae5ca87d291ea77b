import type { RedisClient } from '../../infra/redis/clients';
import { presenceKey } from './keys';
import { DEFAULT_PRESENCE_TTL_MS, type Presence, type PresenceOptions } from './presence.port';

/**
 * Presence in Redis: per user a sorted set of instance ids scored by their hold's expiry (epoch ms),
 * itself expiring `ttlMs` after the last hold, so a user nobody holds leaves nothing behind. Each
 * operation is one key (MULTI on one key for a hold): fine on a Redis Cluster.
 */
export function createRedisPresence(redis: RedisClient, options: PresenceOptions & { prefix: string }): Presence {
  const { instanceId, prefix, ttlMs = DEFAULT_PRESENCE_TTL_MS, now = Date.now } = options;
  const key = (userId: string) => presenceKey(prefix, userId);
  return {
    async hold(userIds) {
      const at = now();
      await Promise.all(
        userIds.map((userId) =>
          redis
            .multi()
            .zadd(key(userId), at + ttlMs, instanceId)
            // Holds of instances that died without releasing.
            .zremrangebyscore(key(userId), '-inf', at)
            .pexpire(key(userId), ttlMs)
            .exec(),
        ),
      );
    },
    async release(userId) {
      await redis.zrem(key(userId), instanceId);
    },
    async isOnline(userId) {
      return (await redis.zcount(key(userId), `(${now()}`, '+inf')) > 0;
    },
    async dispose() {},
  };
}
