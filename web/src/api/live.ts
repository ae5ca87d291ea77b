import type { ApolloClient } from '@apollo/client/core';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { backoffMs } from './backoff';
import { toApiError, type ApiError } from './errors';

export interface LiveHandlers<T> {
  next(data: T): void;
  /** The server refused the subscription (e.g. FORBIDDEN): it is not retried. */
  error?(error: ApiError): void;
  /** The server ended the stream (e.g. after PEER_LEFT). */
  complete?(): void;
  /** Called every time the subscription is opened again after a transport failure. */
  reopened?(): void;
}

/**
 * A subscription that survives the socket: graphql-ws retries dropped connections itself, but ends
 * subscriptions when the server closes with 4401 (token expired or session revoked) or after its
 * retries; this re-opens them with backoff (the token is refreshed by the next connection_init).
 * GraphQL errors (FORBIDDEN, BAD_USER_INPUT...) end it for good. Returns the stop function.
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

  const open = () => {
    if (stopped) return;
    current = client.subscribe({ query, variables }).subscribe({
      next: (result) => {
        attempt = 0;
        if (result.errors?.length) return handlers.error?.(toApiError({ errors: result.errors }));
        if (result.data) handlers.next(result.data);
      },
      error: (err: unknown) => {
        const apiError = toApiError(err);
        if (stopped) return;
        if (apiError.code !== 'NETWORK_ERROR') return handlers.error?.(apiError);
        timer = setTimeout(() => {
          timer = null;
          open();
          handlers.reopened?.();
        }, backoffMs(attempt++));
      },
      complete: () => {
        if (!stopped) handlers.complete?.();
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
