import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../src/infra/redis/clients';

/** The Redis the tests use: `TEST_REDIS_URL`, else the local default. */
export const redisTestUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The Redis Cluster the tests use instead, when `TEST_REDIS_CLUSTER_NODES` is set (`host:port,...`,
 * the cluster pass of `npm test` starts one): the value of REDIS_CLUSTER_NODES for the instances.
 */
export const redisTestClusterNodes = (): string | undefined => process.env.TEST_REDIS_CLUSTER_NODES || undefined;

/**
 * The API's environment for the test Redis: REDIS_URL, or REDIS_CLUSTER_NODES on the cluster pass;
 * with `TEST_MATCH_CELL_KM` (the cluster pass sets it), the matching queue sharded by cells that wide.
 */
export const redisTestEnv = (): Record<string, string> => {
  const nodes = redisTestClusterNodes();
  const cellKm = process.env.TEST_MATCH_CELL_KM;
  return {
    ...(nodes ? { REDIS_CLUSTER_NODES: nodes } : { REDIS_URL: redisTestUrl() }),
    ...(cellKm ? { MATCH_CELL_KM: cellKm } : {}),
  };
};

const seeds = (nodes: string) =>
  nodes.split(',').map((item) => {
    const colon = item.lastIndexOf(':');
    return { host: item.slice(0, colon), port: Number(item.slice(colon + 1)) };
  });

export interface TestRedis {
  /** Unique per call (`t:<random hex>:`); every key and channel of the test goes under it. */
  prefix: string;
  /** True when the tests run on a Redis Cluster (`TEST_REDIS_CLUSTER_NODES`). */
  cluster: boolean;
  /**
   * Opens a new connection (tracked: `cleanup` quits it): a cluster client on the cluster pass
   * (`subscriber`: with sharded subscribers, for SSUBSCRIBE), else a plain one.
   */
  client(options?: { subscriber?: boolean }): RedisClient;
  /** A plain connection, on the single Redis only (tests of connection-level behaviour). */
  single(): Redis;
  /** Every key that starts with `start` (SCAN, on every master of a cluster). */
  keys(start: string): Promise<string[]>;
  /** Deletes every key under `prefix` (SCAN + UNLINK, on every master of a cluster) and quits every tracked connection. */
  cleanup(): Promise<void>;
}

export function createTestRedis(): TestRedis {
  const prefix = `t:${randomBytes(6).toString('hex')}:`;
  const clusterNodes = redisTestClusterNodes();
  const clients: RedisClient[] = [];
  const track = <C extends RedisClient>(redis: C): C => {
    clients.push(redis);
    return redis;
  };
  const single = (): Redis => track(new Redis(redisTestUrl(), { lazyConnect: false }));
  const client = ({ subscriber = false } = {}): RedisClient =>
    clusterNodes ? track(new Cluster(seeds(clusterNodes), { shardedSubscribers: subscriber })) : single();

  let admin: RedisClient | undefined;
  /** Calls `each` with every batch of keys that start with `start`, on every server holding keys. */
  const scan = async (start: string, each: (server: Redis, keys: string[]) => Promise<unknown>) => {
    admin ??= client();
    await admin.ping(); // a cluster client knows its nodes once ready
    const servers = admin instanceof Cluster ? admin.nodes('master') : [admin];
    const match = `${start.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for (const server of servers) {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', match, 'COUNT', 500);
        await each(server, keys);
        cursor = next;
      } while (cursor !== '0');
    }
  };
  const keys = async (start: string): Promise<string[]> => {
    const found: string[] = [];
    await scan(start, async (_, batch) => found.push(...batch));
    return found;
  };
  const cleanup = async (): Promise<void> => {
    // One key per UNLINK: a cluster node refuses a command over keys of several slots.
    await scan(prefix, (server, batch) => Promise.all(batch.map((key) => server.unlink(key))));
    await Promise.all(clients.map(quit));
  };

  return { prefix, cluster: Boolean(clusterNodes), client, single, keys, cleanup };
}

/** Quits politely; a connection already closed (or never opened) is just dropped. */
async function quit(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
