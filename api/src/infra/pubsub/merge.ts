type Settled<T> = { source: AsyncIterator<T>; result: IteratorResult<T> };

/**
 * One iterator over several (e.g. a pub/sub subscription and an instance-local one): yields each
 * source's values as they arrive, and ends as soon as any source ends or fails (the failure is
 * passed on), ending the others. `return()` ends every source at once.
 */
export function merge<T>(...sources: AsyncIterator<T>[]): AsyncIterableIterator<T> {
  const pending = new Map<AsyncIterator<T>, Promise<Settled<T>>>();
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    pending.clear();
    await Promise.allSettled(sources.map(async (source) => source.return?.()));
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (ended) return { done: true, value: undefined };
      for (const source of sources) {
        if (pending.has(source)) continue;
        const settled = source.next().then((result) => ({ source, result }));
        // A failure after the end is nobody's to handle.
        settled.catch(() => undefined);
        pending.set(source, settled);
      }
      let settled: Settled<T>;
      try {
        settled = await Promise.race(pending.values());
      } catch (err) {
        await end();
        throw err;
      }
      if (ended) return { done: true, value: undefined };
      pending.delete(settled.source);
      if (!settled.result.done) return settled.result;
      await end();
      return { done: true, value: undefined };
    },
    async return() {
      await end();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
