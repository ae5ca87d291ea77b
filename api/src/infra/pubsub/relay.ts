export interface RelayStep<U> {
  /** What to yield for this payload; absent: skip it. */
  value?: U;
  /** Several values to yield for this payload, in order (before `value` when both are given). */
  values?: U[];
  /** End the stream after this payload. */
  done?: boolean;
}

export interface RelayOptions<U> {
  /** Yielded before any live payload (e.g. the current state, so nothing is missed). */
  first?: U[];
  /** Runs once when the stream ends, however it ends. */
  onEnd?: () => void;
}

/**
 * A GraphQL subscription stream over a pub/sub iterator. `return()` (client unsubscribed, socket
 * closed) ends the pub/sub iterator at once: an async generator suspended in `for await` would only
 * notice after the next payload, leaking the subscription until then.
 */
export function relay<T extends object, U>(
  live: AsyncIterableIterator<T>,
  step: (payload: T) => RelayStep<U> | Promise<RelayStep<U>>,
  options: RelayOptions<U> = {},
): AsyncIterableIterator<U> {
  return new Relay(live, stream(live, step, options));
}

// A module-level generator and a class with prototype methods rather than closures made per call:
// an idle subscription holds its relay for its whole life, and the closures, their context and the
// generator prototype each call made cost ~0.8 KB per relay.
async function* stream<T extends object, U>(
  live: AsyncIterableIterator<T>,
  step: (payload: T) => RelayStep<U> | Promise<RelayStep<U>>,
  options: RelayOptions<U>,
): AsyncGenerator<U> {
  try {
    for (const item of options.first ?? []) yield item;
    for await (const payload of live) {
      const { value, values, done } = await step(payload);
      for (const item of values ?? []) yield item;
      if (value !== undefined) yield value;
      if (done) return;
    }
  } finally {
    options.onEnd?.();
    await live.return?.();
  }
}

class Relay<T extends object, U> implements AsyncIterableIterator<U> {
  constructor(
    private readonly live: AsyncIterableIterator<T>,
    private readonly generator: AsyncGenerator<U>,
  ) {}

  next(): Promise<IteratorResult<U>> {
    return this.generator.next();
  }

  async return(): Promise<IteratorResult<U>> {
    await this.live.return?.();
    return this.generator.return(undefined);
  }

  throw(err: unknown): Promise<IteratorResult<U>> {
    return this.generator.throw(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** A stream that ends at once (e.g. a subscription to a room that is already closed). */
export function ended<U>(): AsyncIterableIterator<U> {
  const iterator: AsyncIterableIterator<U> = {
    next: async () => ({ done: true, value: undefined }),
    return: async () => ({ done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
