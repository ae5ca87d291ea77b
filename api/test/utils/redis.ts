import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the tests use: `TEST_REDIS_URL`, else the local default. */
export const redisTestUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  /** Unique per call (`t:<random hex>:`); every key and channel of the test goes under it. */
  prefix: string;
  /** Opens a new connection (tracked: `cleanup` quits it). */
  client(): Redis;
  /** Deletes every key under `prefix` (SCAN + UNLINK) and quits every tracked connection. */
  cleanup(): Promise<void>;
}

export function createTestRedis(): TestRedis {
  const prefix = `t:${randomBytes(6).toString('hex')}:`;
  const clients: Redis[] = [];
  const client = (): Redis => {
    const redis = new Redis(redisTestUrl(), { lazyConnect: false });
    clients.push(redis);
    return redis;
  };

  const cleanup = async (): Promise<void> => {
    const admin = client();
    const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', match, 'COUNT', 500);
      if (keys.length > 0) await admin.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await Promise.all(clients.map(quit));
  };

  return { prefix, client, cleanup };
}

/** Quits politely; a connection already closed (or never opened) is just dropped. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
