import type { Redis } from 'ioredis';
import { defineScript } from '../../infra/redis/define-script';
import { authKeys } from './keys';
import type { NewFamily, RefreshTokenStore, RotateResult } from './refresh-token.port';

export interface RedisRefreshTokenStoreOptions {
  /** Prepended to every key (see `authKeys`). Use '' for none. */
  prefix: string;
}

// KEYS: family, userFamilies. ARGV: userId, tokenHash, expiresAt (ms), familyId.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'userId', ARGV[1], 'current', ARGV[2], 'expiresAt', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
local ttl = redis.call('PTTL', KEYS[2])
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ttl < 0 or nowMs + ttl < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[2], ARGV[3]) end
return 1`;

// KEYS: family. ARGV: presentedHash, nextHash, now (ms), reuseLeewayMs, familyId, userFamiliesPrefix.
const ROTATE = `
local family = redis.call('HMGET', KEYS[1], 'userId', 'current', 'expiresAt')
local userId, current, expiresAt = family[1], family[2], family[3]
if not userId then return {'invalid'} end
local now = tonumber(ARGV[3])
if now >= tonumber(expiresAt) then return {'invalid'} end
if current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'current', ARGV[2], 'r:' .. ARGV[1], ARGV[3])
  return {'rotated', userId, expiresAt}
end
local rotatedAt = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if not rotatedAt then return {'invalid'} end
if now - tonumber(rotatedAt) < tonumber(ARGV[4]) then return {'stale'} end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[6] .. userId, ARGV[5])
return {'reused'}`;

// KEYS: family. ARGV: familyId, userFamiliesPrefix. Returns the userId or nil.
const REVOKE = `
local userId = redis.call('HGET', KEYS[1], 'userId')
if not userId then return false end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[2] .. userId, ARGV[1])
return userId`;

// KEYS: userFamilies. ARGV: userId, familyPrefix. Returns the familyIds that were still alive.
const REVOKE_ALL = `
local ended = {}
for _, familyId in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[2] .. familyId
  if redis.call('HGET', key, 'userId') == ARGV[1] then
    redis.call('DEL', key)
    table.insert(ended, familyId)
  end
end
redis.call('DEL', KEYS[1])
return ended`;

/**
 * Refresh-token families in Redis. A family is one hash `authKeys(prefix).family(id)`: `userId`,
 * `current`, `expiresAt` (ms) and one `r:<hash>` = rotatedAt (ms) per rotated token, expiring at
 * expiresAt (PEXPIREAT). Each user has a set of familyIds whose expiry is pushed to the latest
 * expiresAt of their families; it may list families that already expired, which every reader skips.
 *
 * createFamily, rotate, revokeFamily and revokeAllForUser are each one Lua script, so each decision
 * (including revoking a family on reuse) is atomic. The scripts build keys from ids they read, so
 * this adapter needs a single Redis (not Cluster) and a client without ioredis' `keyPrefix` option;
 * use `prefix` instead. The key TTL follows Redis' clock; `rotate` and `isActive` additionally judge
 * expiry by the `now` they are given. The caller owns the client: `dispose()` does not quit it.
 */
export function createRedisRefreshTokenStore(redis: Redis, options: RedisRefreshTokenStoreOptions): RefreshTokenStore {
  const keys = authKeys(options.prefix);
  const create = defineScript(redis, 'authRefreshCreate', 2, CREATE);
  const rotate = defineScript(redis, 'authRefreshRotate', 1, ROTATE);
  const revoke = defineScript(redis, 'authRefreshRevoke', 1, REVOKE);
  const revokeAll = defineScript(redis, 'authRefreshRevokeAll', 1, REVOKE_ALL);

  return {
    async createFamily({ familyId, userId, tokenHash, expiresAt }: NewFamily) {
      const expiresAtMs = String(expiresAt.getTime());
      const created = await create(
        keys.family(familyId),
        keys.userFamilies(userId),
        userId,
        tokenHash,
        expiresAtMs,
        familyId,
      );
      if (created !== 1) throw new Error(`refresh-token family "${familyId}" already exists`);
    },

    async rotate(familyId, presentedHash, nextHash, now, reuseLeewayMs): Promise<RotateResult> {
      const reply = await rotate(
        keys.family(familyId),
        presentedHash,
        nextHash,
        String(now.getTime()),
        String(reuseLeewayMs),
        familyId,
        keys.userFamiliesPrefix,
      );
      const [status, userId, expiresAt] = reply as string[];
      if (status === 'rotated' && userId !== undefined && expiresAt !== undefined) {
        return { status, userId, expiresAt: new Date(Number(expiresAt)) };
      }
      if (status === 'stale' || status === 'reused' || status === 'invalid') return { status };
      throw new Error(`unexpected rotate reply ${JSON.stringify(reply)}`);
    },

    async revokeFamily(familyId) {
      const userId = await revoke(keys.family(familyId), familyId, keys.userFamiliesPrefix);
      return typeof userId === 'string' ? userId : null;
    },

    async revokeAllForUser(userId) {
      return (await revokeAll(keys.userFamilies(userId), userId, keys.familyPrefix)) as string[];
    },

    async isActive(familyId, now) {
      const expiresAt = await redis.hget(keys.family(familyId), 'expiresAt');
      return expiresAt !== null && now.getTime() < Number(expiresAt);
    },

    async dispose() {},
  };
}
