import type { Client } from 'graphql-ws';
import { waitFor } from './wait-for';

export interface Collected<T> {
  /** Every `data` payload received so far, in order. */
  items: T[];
  errors: unknown[];
  /** Resolves with the first received item matching `predicate` (already received ones count). */
  next(predicate?: (item: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

/** Subscribes through a graphql-ws client and collects what arrives. */
export function collect<T = Record<string, any>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Collected<T> {
  const items: T[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => (result.errors ? errors.push(result.errors) : items.push(result.data as T)),
      error: (err) => errors.push(err),
      complete: () => undefined,
    },
  );
  return {
    items,
    errors,
    async next(predicate = () => true, timeoutMs = 5000) {
      await waitFor(() => items.some(predicate), {
        timeoutMs,
        message: `a matching event (got ${JSON.stringify(items)}, errors ${JSON.stringify(errors)})`,
      });
      return items.find(predicate)!;
    },
    close: dispose,
  };
}
