import { PubSub as EmitterPubSub } from 'graphql-subscriptions';
import { pubSubContract } from './pubsub.contract';
import { createMemoryPubSub } from './pubsub.memory';

pubSubContract('memory', async (options = {}) => {
  const bus = new EmitterPubSub();
  const a = createMemoryPubSub(options.a, bus);
  const b = createMemoryPubSub(options.b, bus);
  return { a, b, cleanup: async () => void (await Promise.all([a.dispose(), b.dispose()])) };
});
