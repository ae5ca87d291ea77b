import { PubSubEngine } from 'graphql-subscriptions';
import type { RedisClient } from '../redis/clients';
import { EnginePubSub } from './pubsub.engine';
import type { PubSub, PubSubOptions } from './pubsub.port';

export interface RedisPubSubClients {
  /** Any connection; it only runs PUBLISH (SPUBLISH) and may be shared with other adapters. */
  publisher: RedisClient;
  /**
   * A connection dedicated to this adapter: it enters subscriber mode, and two adapters on one
   * subscriber connection would unsubscribe each other's channels. A cluster client must have been
   * created with `shardedSubscribers` when `sharded` is set.
   */
  subscriber: RedisClient;
  /**
   * Shard channels (Redis 7: SPUBLISH, SSUBSCRIBE, SUNSUBSCRIBE, the `smessage` event): a channel
   * lives on the shard of its hash slot, so on a cluster a message travels to that shard's nodes
   * only, instead of every node of the cluster. @default false (PUBLISH and SUBSCRIBE)
   */
  sharded?: boolean;
}

/** The commands and the message event of classic or sharded pub/sub. */
function channelCommands({ publisher, subscriber, sharded = false }: RedisPubSubClients) {
  return sharded
    ? {
        publish: (channel: string, message: string) => publisher.spublish(channel, message),
        subscribe: (channel: string) => subscriber.ssubscribe(channel),
        unsubscribe: (channel: string) => subscriber.sunsubscribe(channel),
        event: 'smessage',
      }
    : {
        publish: (channel: string, message: string) => publisher.publish(channel, message),
        subscribe: (channel: string) => subscriber.subscribe(channel),
        unsubscribe: (channel: string) => subscriber.unsubscribe(channel),
        event: 'message',
      };
}

/**
 * Redis channels as a `PubSubEngine`: one SUBSCRIBE per channel however many subscribers share it,
 * UNSUBSCRIBE when the last one leaves. It replaces graphql-redis-subscriptions' `RedisPubSub`,
 * which, when Redis is away, ends the process: a failed SUBSCRIBE also rejects a promise that only
 * a concurrent subscriber of the same channel awaits, and UNSUBSCRIBE's rejection is never handled
 * (the chaos suite's instances exited on "Command timed out"). Here every command's failure reaches
 * the caller (subscribe) or the log (unsubscribe, which has no caller to tell).
 */
class RedisChannels extends PubSubEngine {
  private nextId = 1;
  private readonly subscriptions = new Map<number, { channel: string; onMessage: (message: string) => void }>();
  private readonly byChannel = new Map<string, Set<number>>();
  /** The SUBSCRIBE in flight per channel, which later subscribers of the channel wait for too. */
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(
    private readonly commands: ReturnType<typeof channelCommands>,
    private readonly onUnsubscribeFailed: (err: unknown) => void,
  ) {
    super();
  }

  /** The subscriber connection's `message` (`smessage`) listener. */
  readonly deliver = (channel: string, message: string): void => {
    for (const id of this.byChannel.get(channel) ?? []) this.subscriptions.get(id)?.onMessage(message);
  };

  async publish(channel: string, json: string): Promise<void> {
    await this.commands.publish(channel, json);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<number> {
    const id = this.nextId++;
    let ids = this.byChannel.get(channel);
    if (!ids) this.byChannel.set(channel, (ids = new Set()));
    const first = ids.size === 0;
    ids.add(id);
    this.subscriptions.set(id, { channel, onMessage });
    // The first subscriber sends SUBSCRIBE; the others wait for it if it is still in flight.
    const pending = first ? this.subscribeChannel(channel) : this.subscribing.get(channel);
    try {
      await pending;
    } catch (err) {
      this.forget(id);
      throw err;
    }
    return id;
  }

  private subscribeChannel(channel: string): Promise<void> {
    const pending: Promise<void> = this.commands
      .subscribe(channel)
      .then(() => undefined)
      .finally(() => {
        if (this.subscribing.get(channel) === pending) this.subscribing.delete(channel);
      });
    this.subscribing.set(channel, pending);
    return pending;
  }

  unsubscribe(id: number): void {
    const channel = this.forget(id);
    if (channel === undefined || this.byChannel.has(channel)) return;
    this.commands.unsubscribe(channel).catch(this.onUnsubscribeFailed);
  }

  /** Drops subscription `id`; returns its channel. */
  private forget(id: number): string | undefined {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return undefined;
    this.subscriptions.delete(id);
    const ids = this.byChannel.get(subscription.channel);
    ids?.delete(id);
    if (ids?.size === 0) this.byChannel.delete(subscription.channel);
    return subscription.channel;
  }
}

/**
 * PubSub across API instances over Redis PUBLISH/SUBSCRIBE, or over shard channels on a Redis
 * Cluster (`clients.sharded`). The channel is `topicPrefix + topic`; the message is the JSON text
 * `EnginePubSub` produces, carried unchanged.
 *
 * The caller owns the connections: the adapter opens none and never quits them. `dispose()` only
 * unsubscribes and detaches its listener; call it before quitting the clients. ioredis re-subscribes
 * by itself after a reconnect; payloads published while disconnected are lost (delivery is
 * at-most-once). A failed UNSUBSCRIBE (Redis away) is logged through `onUnsubscribeFailed`; the
 * channel is then dropped with the connection anyway.
 */
export function createRedisPubSub(
  clients: RedisPubSubClients,
  options: PubSubOptions = {},
  onUnsubscribeFailed: (err: unknown) => void = () => undefined,
): PubSub {
  const commands = channelCommands(clients);
  const engine = new RedisChannels(commands, onUnsubscribeFailed);
  clients.subscriber.on(commands.event, engine.deliver);
  return new EnginePubSub(
    engine,
    options,
    () => void clients.subscriber.removeListener(commands.event, engine.deliver),
  );
}
