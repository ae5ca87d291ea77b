import type { ApolloClient } from '@apollo/client/core';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { backoffMs } from './backoff';
import { isTransient, toApiError, type ApiError } from './errors';

export interface LiveHandlers<T> {
  next(data: T): void;
  /** The server refused the subscription (e.g. FORBIDDEN): it is not retried. */
  error?(error: ApiError): void;
  /** The server ended the stream (e.g. after PEER_LEFT). */
  complete?(): void;
  /** Called every time the subscription is opened again after a transient failure. */
  reopened?(): void;
}

/**
 * A subscription that survives the socket and the server's bad moments: graphql-ws retries dropped
 * connections itself, but ends subscriptions when the server closes with 4401 (token expired or
 * session revoked) or after its retries, and the server refuses a subscription with UNAVAILABLE
 * while a backend is slow or away (a reconnect storm after a restart, a Redis failover). Both are
 * transient (errors.ts `isTransient`): the subscription is opened again after the server's
 * `retryAfterMs` or the backoff, whichever is longer (refused again and again, it waits longer and
 * longer; the token is refreshed by the next connection_init), and
 * `reopened` tells the caller to catch up on what went by. Any other GraphQL error (FORBIDDEN,
 * BAD_USER_INPUT...) ends it for good. Returns the stop function.
 */
export function subscribeLive<T, V extends Record<string, unknown>>(
  client: ApolloClient<unknown>,
  query: TypedDocumentNode<T, V>,
  variables: V,
  handlers: LiveHandlers<T>,
): () => void {
  let stopped = false;
  let attempt = 0;
  let current: { unsubscribe(): void } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  /** Opens the subscription again after a transient failure (once, however it was reported). */
  const retry = (failure: ApiError) => {
    if (stopped || timer) return;
    current?.unsubscribe();
    current = null;
    // The server's retryAfterMs, but never less than the backoff: when many clients are refused
    // together (a reconnect storm), retrying at the same pace would keep the server overloaded.
    timer = setTimeout(
      () => {
        timer = null;
        open();
        handlers.reopened?.();
      },
      Math.max(failure.retryAfterMs ?? 0, backoffMs(attempt)),
    );
    attempt++;
  };
  /** A failure of the subscription: retried when transient, else the caller's. */
  const fail = (failure: ApiError) => (isTransient(failure) ? retry(failure) : handlers.error?.(failure));

  const open = () => {
    if (stopped) return;
    current = client.subscribe({ query, variables }).subscribe({
      next: (result) => {
        if (stopped || timer) return;
        if (result.errors?.length) return fail(toApiError({ errors: result.errors }));
        attempt = 0;
        if (result.data) handlers.next(result.data);
      },
      error: (err: unknown) => {
        if (!stopped) fail(toApiError(err));
      },
      complete: () => {
        // After a transient failure the stream ends too; it is being opened again, not over.
        if (!stopped && !timer) handlers.complete?.();
      },
    });
  };
  open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    current?.unsubscribe();
  };
}
