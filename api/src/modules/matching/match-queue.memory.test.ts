import { matchQueueContract } from './match-queue.contract';
import { createMemoryMatchQueue } from './match-queue.memory';

matchQueueContract('memory', async (options) => {
  const queue = createMemoryMatchQueue(options);
  return { queue, cleanup: () => queue.dispose() };
});
