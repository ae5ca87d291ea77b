import { PubSub as EmitterPubSub, type PubSubEngine } from 'graphql-subscriptions';
import { EnginePubSub } from './pubsub.engine';
import type { PubSub, PubSubOptions } from './pubsub.port';

/**
 * PubSub for a single process (development, tests) over graphql-subscriptions' EventEmitter `PubSub`.
 * Adapters given the same `bus` behave like API instances sharing one Redis (each still owns its
 * subscriptions and `dispose()`). Payloads cross the bus as JSON text, exactly as on Redis.
 * @param bus @default a new bus private to this adapter
 */
export function createMemoryPubSub(options: PubSubOptions = {}, bus: PubSubEngine = new EmitterPubSub()): PubSub {
  return new EnginePubSub(bus, options);
}
