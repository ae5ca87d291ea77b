import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import { matchQueueContract } from './match-queue.contract';
import { createShardedMatchQueue } from './match-queue.sharded';

let redis: TestRedis;
let queues = 0;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

// 1 km cells: nearly every pair of the suite lives in two cells, so pairing crosses a border.
matchQueueContract('redis, sharded by 1 km cells', async (options) => {
  const client = redis.client();
  const queue = createShardedMatchQueue(client, { ...options, prefix: `${redis.prefix}s${++queues}:`, cellKm: 1 });
  return {
    queue,
    cleanup: async () => {
      await queue.dispose();
      await client.quit();
    },
  };
});
