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
  async function* stream(): AsyncGenerator<U> {
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
  const generator = stream();
  const iterator: AsyncIterableIterator<U> = {
    next: () => generator.next(),
    return: async () => {
      await live.return?.();
      return generator.return(undefined);
    },
    throw: (err: unknown) => generator.throw(err),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
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
