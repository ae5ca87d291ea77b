import type { RedisClient } from '../../infra/redis/clients';
import { defineScript } from '../../infra/redis/define-script';
import { presenceKey } from './keys';
import { DEFAULT_PRESENCE_TTL_MS, type Presence, type PresenceOptions } from './presence.port';

/**
 * KEYS: the user's key. ARGV: instanceId, the hold's expiry (epoch ms), now (epoch ms), ttlMs.
 * Holds this instance, drops the holds of instances that died without releasing, renews the key.
 */
const HOLD_LUA = `redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 0`;

/** Users written at once by one `hold` (a renewal of every user held here goes out in such slices). */
const HOLD_SLICE = 500;

/**
 * Presence in Redis: per user a sorted set of instance ids scored by their hold's expiry (epoch ms),
 * itself expiring `ttlMs` after the last hold, so a user nobody holds leaves nothing behind. Each
 * operation is one key (a hold is one script on it): fine on a Redis Cluster. A script, not MULTI:
 * when a command times out, MULTI's queued commands reject promises nobody observes, and an
 * unhandled rejection ends the process (the queue generation check met this in the chaos suite).
 */
export function createRedisPresence(redis: RedisClient, options: PresenceOptions & { prefix: string }): Presence {
  const { instanceId, prefix, ttlMs = DEFAULT_PRESENCE_TTL_MS, now = Date.now } = options;
  const key = (userId: string) => presenceKey(prefix, userId);
  const holdScript = defineScript(redis, 'presenceHold', 1, HOLD_LUA);
  return {
    async hold(userIds) {
      // In slices, so that renewing thousands of holds never floods the connection at once.
      for (let i = 0; i < userIds.length; i += HOLD_SLICE) {
        const at = now();
        await Promise.all(
          userIds
            .slice(i, i + HOLD_SLICE)
            .map((userId) => holdScript(key(userId), instanceId, String(at + ttlMs), String(at), String(ttlMs))),
        );
      }
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
