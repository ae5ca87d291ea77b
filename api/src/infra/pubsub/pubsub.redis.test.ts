import type { Redis } from 'ioredis';
import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import { waitFor } from '../../../test/utils/wait-for';
import { pubSubContract } from './pubsub.contract';
import type { PubSubOptions } from './pubsub.port';
import { createRedisPubSub } from './pubsub.redis';

let redis: TestRedis;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

/** One API instance: its own publisher and subscriber connections, quit by `close`. */
function instance(options: PubSubOptions = {}) {
  const publisher = redis.client();
  const subscriber = redis.client();
  const pubsub = createRedisPubSub(
    { publisher, subscriber },
    { ...options, topicPrefix: redis.prefix + (options.topicPrefix ?? '') },
  );
  const close = async () => {
    await pubsub.dispose();
    await Promise.all([publisher.quit(), subscriber.quit()]);
  };
  return { pubsub, publisher, subscriber, close };
}

pubSubContract('redis', async (options = {}) => {
  const a = instance(options.a);
  const b = instance(options.b);
  return { a: a.pubsub, b: b.pubsub, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
});

describe('Redis PubSub adapter', () => {
  const subscribers = async (admin: Redis, channel: string) => {
    const [, count] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count);
  };

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
    const listenersBefore = node.subscriber.listenerCount('message');
    const other = createRedisPubSub({ publisher: node.publisher, subscriber: node.subscriber });
    expect(node.subscriber.listenerCount('message')).toBe(listenersBefore + 1);
    await other.dispose();
    expect(node.subscriber.listenerCount('message')).toBe(listenersBefore);
    await node.pubsub.subscribe('room:1');
    await node.pubsub.dispose();
    expect(await node.publisher.ping()).toBe('PONG');
    await expect(node.subscriber.ping()).resolves.toBeDefined();
    expect(node.subscriber.status).toBe('ready');
    await node.close();
  });
});
