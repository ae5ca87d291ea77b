import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ApolloClient } from '@apollo/client/core';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { subscribeLive } from './live';

interface Observer {
  next(result: { data?: unknown; errors?: unknown[] }): void;
  error(err: unknown): void;
  complete(): void;
}

/** An Apollo client whose subscriptions the test drives: each `subscribe` is one opening. */
function fakeClient() {
  const openings: { observer: Observer; closed: boolean }[] = [];
  const client = {
    subscribe: () => ({
      subscribe: (observer: Observer) => {
        const opening = { observer, closed: false };
        openings.push(opening);
        return { unsubscribe: () => void (opening.closed = true) };
      },
    }),
  } as unknown as ApolloClient<unknown>;
  return { client, openings, last: () => openings.at(-1)!.observer };
}

const QUERY = {} as TypedDocumentNode<{ n: number }, Record<string, never>>;
const graphqlError = (code: string, retryAfterMs?: number) => ({
  message: code,
  extensions: { code, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
});

describe('subscribeLive', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const start = () => {
    const fake = fakeClient();
    const handlers = { next: jest.fn(), error: jest.fn(), complete: jest.fn(), reopened: jest.fn() };
    const stop = subscribeLive(fake.client, QUERY, {}, handlers);
    return { ...fake, handlers, stop };
  };

  it('opens the subscription again after UNAVAILABLE, waiting the retryAfterMs the server gave', () => {
    const { openings, last, handlers } = start();
    last().error({ graphQLErrors: [graphqlError('UNAVAILABLE', 700)] });
    jest.advanceTimersByTime(699);
    expect(openings).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(openings).toHaveLength(2);
    expect(handlers.reopened).toHaveBeenCalledTimes(1);
    last().next({ data: { n: 1 } });
    expect(handlers.next).toHaveBeenCalledWith({ n: 1 });
    expect(handlers.error).not.toHaveBeenCalled();
  });

  it('waits longer after each refusal in a row: the backoff once it exceeds retryAfterMs', () => {
    const { openings, last } = start();
    jest.spyOn(Math, 'random').mockReturnValue(1);
    const waits: number[] = [];
    for (let refusal = 0; refusal < 5; refusal++) {
      last().error({ graphQLErrors: [graphqlError('UNAVAILABLE', 700)] });
      const before = openings.length;
      let waited = 0;
      while (openings.length === before) {
        jest.advanceTimersByTime(100);
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([700, 1000, 2000, 4000, 8000]);
  });

  it('treats an UNAVAILABLE result followed by the end of the stream as one failure to retry, not as the end', () => {
    const { openings, last, handlers } = start();
    last().next({ errors: [graphqlError('UNAVAILABLE', 500)] });
    last().complete();
    expect(handlers.complete).not.toHaveBeenCalled();
    expect(openings[0]!.closed).toBe(true);
    jest.advanceTimersByTime(500);
    expect(openings).toHaveLength(2);
    expect(handlers.reopened).toHaveBeenCalledTimes(1);
    expect(handlers.error).not.toHaveBeenCalled();
  });

  it('backs off between transport failures and starts over once data flows again', () => {
    const { openings, last } = start();
    jest.spyOn(Math, 'random').mockReturnValue(1);
    last().error(new Error('socket closed'));
    jest.advanceTimersByTime(500);
    expect(openings).toHaveLength(2);
    last().error(new Error('socket closed'));
    jest.advanceTimersByTime(999);
    expect(openings).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(openings).toHaveLength(3);
    last().next({ data: { n: 2 } });
    last().error(new Error('socket closed'));
    jest.advanceTimersByTime(500);
    expect(openings).toHaveLength(4);
  });

  it('ends for good on any other error, and reports the end of the stream', () => {
    const { openings, last, handlers } = start();
    last().next({ errors: [graphqlError('FORBIDDEN')] });
    last().complete();
    jest.advanceTimersByTime(60_000);
    expect(openings).toHaveLength(1);
    expect(handlers.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(handlers.complete).toHaveBeenCalledTimes(1);
    expect(handlers.reopened).not.toHaveBeenCalled();
  });

  it('opens nothing again once stopped while waiting', () => {
    const { openings, last, handlers, stop } = start();
    last().error({ graphQLErrors: [graphqlError('UNAVAILABLE', 300)] });
    stop();
    jest.advanceTimersByTime(10_000);
    expect(openings).toHaveLength(1);
    expect(handlers.reopened).not.toHaveBeenCalled();
  });
});
