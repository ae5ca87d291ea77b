/**
 * Topic-based publish/subscribe shared by every API instance.
 *
 * Delivery is at-most-once and best-effort (the database stays the source of truth): a subscriber
 * receives the payloads published to its topic after its `subscribe` promise resolved, in the order
 * one publisher published them. Payloads are plain JSON: what a subscriber gets is
 * `JSON.parse(JSON.stringify(payload))` (dates arrive as strings), on every adapter.
 */
export interface PubSub {
  /**
   * Publishes to every current subscriber of `topic` on every instance. Resolves once the backend
   * accepted the message (not once subscribers consumed it). Publishing to a topic nobody listens to
   * is a no-op.
   */
  publish<T extends object>(topic: string, payload: T): Promise<void>;

  /**
   * Subscribes to one exact topic (no patterns). Resolves once the subscription is live on the
   * backend, so a publish that starts after it resolves is delivered. Calling `return()` on the
   * iterator (or breaking out of `for await`) unsubscribes; it is idempotent. When a subscriber falls
   * more than `maxBuffered` payloads behind, its iterator throws `SubscriberOverflowError` and ends,
   * so one slow consumer can never grow memory without bound. (The adapters unsubscribe and drop the
   * queued payloads at that moment; the next `next()` rejects, later ones resolve `done`.)
   */
  subscribe<T extends object>(topic: string): Promise<AsyncIterableIterator<T>>;

  /** Ends every open iterator and releases the backend subscription. Idempotent. */
  dispose(): Promise<void>;
}

/** Thrown by a subscription iterator whose consumer fell too far behind. */
export class SubscriberOverflowError extends Error {
  override name = 'SubscriberOverflowError';
  constructor(
    readonly topic: string,
    readonly limit: number,
  ) {
    super(`subscriber to "${topic}" fell more than ${limit} payloads behind`);
  }
}

/** Options shared by both adapters. */
export interface PubSubOptions {
  /** Prepended to every topic (isolates deployments and test runs sharing one Redis). @default '' */
  topicPrefix?: string;
  /** Payloads buffered per subscriber before it is ended with SubscriberOverflowError. @default 1000 */
  maxBuffered?: number;
}
