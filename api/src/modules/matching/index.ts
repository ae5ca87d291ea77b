/** The matching module's public entry: other modules import from here only. */
import { MatchResolver } from './match.resolver';
export { createMatchingModule, type MatchingModule } from './matching.module';
export { MatchOffered } from './matching.events';
export type { MatchQueue, MatchQueueOptions } from './match-queue.port';
export { createMemoryMatchQueue } from './match-queue.memory';
export { createRedisMatchQueue } from './match-queue.redis';
export { createShardedMatchQueue } from './match-queue.sharded';

/** The module's resolver classes, for the composition root's schema registry. */
export const matchingResolverClasses = [MatchResolver];
