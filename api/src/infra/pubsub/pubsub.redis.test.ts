import { Cluster, Redis } from 'ioredis';
import { createTestRedis, redisTestClusterNodes, redisTestUrl, type TestRedis } from '../../../test/utils/redis';
import type { RedisClient } from '../redis/clients';
import { waitFor } from '../../../test/utils/wait-for';
import { pubSubContract } from './pubsub.contract';
import type { PubSubOptions } from './pubsub.port';
import { createRedisPubSub } from './pubsub.redis';

let redis: TestRedis;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

/**
 * One API instance: its own publisher and subscriber connections, quit by `close`. On the cluster
 * pass (TEST_REDIS_CLUSTER_NODES) cluster clients over shard channels, as the API runs there.
 */
function instance(options: PubSubOptions = {}) {
  const publisher = redis.client();
  const subscriber = redis.client({ subscriber: true });
  const pubsub = createRedisPubSub(
    { publisher, subscriber, sharded: redis.cluster },
    { ...options, topicPrefix: redis.prefix + (options.topicPrefix ?? '') },
  );
  const close = async () => {
    await pubsub.dispose();
    await Promise.all([publisher.quit(), subscriber.quit()]);
  };
  return { pubsub, publisher, subscriber, close };
}

pubSubContract(redisTestClusterNodes() ? 'redis cluster (shard channels)' : 'redis', async (options = {}) => {
  const a = instance(options.a);
  const b = instance(options.b);
  return { a: a.pubsub, b: b.pubsub, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
});

describe('Redis PubSub adapter', () => {
  /** Subscribers of `channel`: NUMSUB, or SHARDNUMSUB summed over every node of a cluster. */
  const subscribers = async (admin: RedisClient, channel: string) => {
    const servers = admin instanceof Cluster ? admin.nodes('all') : [admin];
    const counts = await Promise.all(
      servers.map(async (server) => {
        const reply = redis.cluster ? server.pubsub('SHARDNUMSUB', channel) : server.pubsub('NUMSUB', channel);
        const [, count] = (await reply) as [string, number];
        return Number(count);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  const messageEvent = () => (redis.cluster ? 'smessage' : 'message');

  it('releases the Redis channel once the last subscriber of a topic returns', async () => {
    const node = instance();
    const admin = redis.client();
    const channel = `${redis.prefix}room:1`;
    const first = await node.pubsub.subscribe('room:1');
    const second = await node.pubsub.subscribe('room:1');
    expect(await subscribers(admin, channel)).toBe(1);
    await first.return?.();
    expect(await subscribers(admin, channel)).toBe(1);
    await second.return?.();
    await waitFor(async () => (await subscribers(admin, channel)) === 0, { message: 'channel has no subscriber' });
    await node.close();
  });

  it('leaves the given clients open and detaches its listeners on dispose', async () => {
    const node = instance();
    const listenersBefore = node.subscriber.listenerCount(messageEvent());
    const other = createRedisPubSub({ publisher: node.publisher, subscriber: node.subscriber, sharded: redis.cluster });
    expect(node.subscriber.listenerCount(messageEvent())).toBe(listenersBefore + 1);
    await other.dispose();
    expect(node.subscriber.listenerCount(messageEvent())).toBe(listenersBefore);
    await node.pubsub.subscribe('room:1');
    await node.pubsub.dispose();
    expect(await node.publisher.ping()).toBe('PONG');
    await expect(node.subscriber.ping()).resolves.toBeDefined();
    expect(node.subscriber.status).toBe('ready');
    await node.close();
  });

  // Connection-level failures, on a single Redis connection (also on the cluster pass).
  describe('with Redis away', () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    beforeEach(() => {
      unhandled.length = 0;
      process.on('unhandledRejection', record);
    });
    afterEach(() => void process.off('unhandledRejection', record));
    /** Lets a rejection nobody handles reach 'unhandledRejection'. */
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

    it('a SUBSCRIBE that times out rejects every subscriber of the channel, and nothing else', async () => {
      // Connected, then cut off: commands queue and time out, as when Redis stalls.
      const subscriber = new Redis(redisTestUrl(), { commandTimeout: 200, maxRetriesPerRequest: 1 });
      const publisher = redis.single();
      await subscriber.ping();
      subscriber.stream.pause();
      const pubsub = createRedisPubSub({ publisher, subscriber }, { topicPrefix: redis.prefix });
      const alone = pubsub.subscribe('room:alone');
      const first = pubsub.subscribe('room:shared');
      const second = pubsub.subscribe('room:shared');
      for (const subscribing of [alone, first, second]) await expect(subscribing).rejects.toThrow('Command timed out');
      await settle();
      expect(unhandled).toEqual([]);
      subscriber.disconnect();
      await pubsub.dispose();
    });

    it('an UNSUBSCRIBE that fails is reported, not left unhandled', async () => {
      const node = { publisher: redis.single(), subscriber: redis.single() };
      const failures: unknown[] = [];
      const pubsub = createRedisPubSub(
        { publisher: node.publisher, subscriber: node.subscriber },
        { topicPrefix: redis.prefix },
        (err) => failures.push(err),
      );
      const subscription = await pubsub.subscribe('room:leaving');
      node.subscriber.disconnect(); // UNSUBSCRIBE now rejects: "Connection is closed."
      await subscription.return?.();
      await waitFor(() => Promise.resolve(failures.length === 1), { message: 'the failure reported' });
      await settle();
      expect(unhandled).toEqual([]);
      await pubsub.dispose();
    });
  });
});
