import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import { EnginePubSub } from './pubsub.engine';
import type { PubSub, PubSubOptions } from './pubsub.port';

export interface RedisPubSubClients {
  /** Any connection; it only runs PUBLISH and may be shared with other adapters. */
  publisher: Redis;
  /**
   * A connection dedicated to this adapter: it enters subscriber mode, and two adapters on one
   * subscriber connection would unsubscribe each other's channels.
   */
  subscriber: Redis;
}

/**
 * PubSub across API instances over Redis PUBLISH/SUBSCRIBE (graphql-redis-subscriptions' `RedisPubSub`).
 * The channel is `topicPrefix + topic`; the message is the JSON text `EnginePubSub` produces, passed
 * through `RedisPubSub` unchanged (its own serializer and parsing are bypassed).
 *
 * The caller owns the connections: the adapter opens none and never quits them. `dispose()` only
 * unsubscribes and detaches its listeners; call it before quitting the clients, since `RedisPubSub`
 * sends UNSUBSCRIBE without awaiting it. ioredis re-subscribes by itself after a reconnect; payloads
 * published while disconnected are lost (delivery is at-most-once).
 */
export function createRedisPubSub(clients: RedisPubSubClients, options: PubSubOptions = {}): PubSub {
  const { publisher, subscriber } = clients;
  const before = new Set([...subscriber.listeners('message'), ...subscriber.listeners('pmessage')]);
  const engine = new RedisPubSub({
    publisher,
    subscriber,
    serializer: (json: string) => json,
    deserializer: (message) => message.toString(),
  });
  const added = (['message', 'pmessage'] as const).flatMap((event) =>
    subscriber
      .listeners(event)
      .filter((listener) => !before.has(listener))
      .map((listener) => ({ event, listener })),
  );
  // RedisPubSub never removes the listeners it attached to the borrowed subscriber; do it on dispose.
  const release = () => {
    for (const { event, listener } of added) subscriber.removeListener(event, listener as (...args: unknown[]) => void);
  };
  return new EnginePubSub(engine, options, release);
}
