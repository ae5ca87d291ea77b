import type { PubSubEngine } from 'graphql-subscriptions';
import { SubscriberOverflowError, type PubSub, type PubSubOptions } from './pubsub.port';

/**
 * The one implementation of the `PubSub` port; adapters differ only in the `PubSubEngine` they pass
 * (graphql-subscriptions' in-process `PubSub`, Redis channels in pubsub.redis.ts).
 *
 * On top of the engine it adds:
 * - the topic prefix: the engine sees `topicPrefix + topic`, callers and errors only `topic`;
 * - the wire format: the engine carries `JSON.stringify(payload)` and every subscription parses its
 *   own copy, so all adapters give subscribers the JSON round trip (dates as strings) and no two
 *   subscribers, nor the publisher, share a reference. A payload JSON cannot encode (a BigInt, a
 *   cycle) makes `publish` reject; a message on the channel that is not JSON text is dropped;
 * - one bounded push queue per subscription. A payload is handed straight to a waiting `next()`, or
 *   queued. When a payload arrives while `maxBuffered` are already queued, the subscription is
 *   unsubscribed at once and its queue dropped (freeing the memory); the next `next()` rejects with
 *   `SubscriberOverflowError` and later ones resolve `done`. The consumer is expected to resync from
 *   the database, so the stale queued payloads are not delivered first;
 * - `return()`: unsubscribes, drops the queue, resolves pending and later `next()` calls with `done`.
 *   Idempotent. `throw()` is not offered (`for await` never needs it);
 * - `dispose()`: waits for `subscribe` calls in flight, ends every open iterator as `return()` does,
 *   then runs `release` once. Idempotent. After it, `publish` and `subscribe` reject.
 *
 * The engine's `subscribe` promise is awaited before `subscribe` resolves: for Redis that is
 * when Redis acknowledged SUBSCRIBE, which is what makes "a publish that starts after subscribe
 * resolved is delivered" hold across instances.
 */
export class EnginePubSub implements PubSub {
  private readonly topicPrefix: string;
  private readonly maxBuffered: number;
  private readonly open = new Set<{ end(): void }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private disposed: Promise<void> | null = null;

  /**
   * @param engine carries JSON text on `topicPrefix + topic` triggers and hands it back unchanged.
   * @param release runs once at the end of `dispose()` (e.g. detach listeners from a borrowed client).
   */
  constructor(
    private readonly engine: PubSubEngine,
    options: PubSubOptions = {},
    private readonly release: () => void | Promise<void> = () => {},
  ) {
    this.topicPrefix = options.topicPrefix ?? '';
    this.maxBuffered = options.maxBuffered ?? 1000;
    if (!Number.isInteger(this.maxBuffered) || this.maxBuffered < 1) {
      throw new RangeError(`maxBuffered must be a positive integer, got ${String(options.maxBuffered)}`);
    }
  }

  async publish<T extends object>(topic: string, payload: T): Promise<void> {
    this.assertOpen();
    const json: string | undefined = JSON.stringify(payload);
    if (json === undefined) throw new TypeError(`payload for "${topic}" has no JSON representation`);
    await this.engine.publish(this.topicPrefix + topic, json);
  }

  async subscribe<T extends object>(topic: string): Promise<AsyncIterableIterator<T>> {
    this.assertOpen();
    const subscription = new Subscription<T>(topic, this.maxBuffered, this.open);
    const trigger = this.topicPrefix + topic;
    // A bound method, not a closure over this call's scope, which the engine would keep for the
    // subscription's whole life.
    const subscribing = this.engine.subscribe(trigger, subscription.push.bind(subscription), {});
    this.inFlight.add(subscribing);
    try {
      subscription.attach(this.engine, await subscribing);
    } finally {
      this.inFlight.delete(subscribing);
    }
    if (this.disposed) {
      subscription.end();
      throw new Error(`PubSub was disposed while subscribing to "${topic}"`);
    }
    this.open.add(subscription);
    return subscription;
  }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      for (const subscription of [...this.open]) subscription.end();
      await this.release();
    })();
    return this.disposed;
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('PubSub is disposed');
  }
}

type Reader<T> = (result: IteratorResult<T>) => void;

/** One subscriber's bounded queue, exposed as an async iterator. */
class Subscription<T extends object> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  // The pending next() (there is one nearly all the time), then any further ones, oldest first.
  // A field rather than an array: an idle subscription would keep the array's grown capacity.
  private reader: Reader<T> | null = null;
  private readonly moreReaders: Array<Reader<T>> = [];
  private engine: PubSubEngine | null = null;
  private subId = 0;
  private state: 'live' | 'overflowed' | 'ended' = 'live';

  /** @param open the adapter's open subscriptions, which this one leaves when it ends. */
  constructor(
    private readonly topic: string,
    private readonly maxBuffered: number,
    private readonly open: Set<{ end(): void }>,
  ) {}

  attach(engine: PubSubEngine, subId: number): void {
    this.engine = engine;
    this.subId = subId;
    if (this.state !== 'live') this.detach();
  }

  push(json: unknown): void {
    if (this.state !== 'live') return;
    const payload = parse<T>(json);
    if (payload === undefined) return;
    const reader = this.takeReader();
    if (reader) return reader({ done: false, value: payload });
    if (this.queue.length < this.maxBuffered) {
      this.queue.push(payload);
      return;
    }
    this.state = 'overflowed';
    this.queue.length = 0;
    this.detach();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ done: false, value });
    if (this.state === 'overflowed') {
      this.end();
      return Promise.reject(new SubscriberOverflowError(this.topic, this.maxBuffered));
    }
    if (this.state === 'ended') return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      if (this.reader) this.moreReaders.push(resolve);
      else this.reader = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the iterator for good: unsubscribes (once), drops the queue, releases waiting readers. */
  end(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.queue.length = 0;
    this.detach();
    for (let reader = this.takeReader(); reader; reader = this.takeReader()) reader({ done: true, value: undefined });
    this.open.delete(this);
  }

  private takeReader(): Reader<T> | null {
    const reader = this.reader;
    this.reader = this.moreReaders.shift() ?? null;
    return reader;
  }

  private detach(): void {
    const engine = this.engine;
    this.engine = null;
    engine?.unsubscribe(this.subId);
  }
}

/** Parses one message; anything but a JSON object or array (a foreign publisher's text) is undefined. */
function parse<T extends object>(json: unknown): T | undefined {
  if (typeof json !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
