import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, Observable, split } from '@apollo/client/core';
import { setContext } from '@apollo/client/link/context';
import { onError } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { backoffMs } from './api/backoff';
import type { ApiContext } from './api/context';
import { apiFailure, isTransient, toApiError } from './api/errors';
import { runsOverSocket } from './api/transport';

/** What the links need from the session (the auth store), read lazily on every use. */
export interface SessionHooks {
  /** The current access token, refreshed first when it is about to expire; null when logged out. */
  accessToken(): Promise<string | null>;
  /**
   * Rotates the session through the refresh cookie; resolves false when it could not (the session
   * store logs out only when the API refused the refresh token, never on an outage).
   */
  refresh(): Promise<boolean>;
}

/** What the transports tell about reaching the API (the connection store). */
export interface ConnectionHooks {
  socketConnected(): void;
  socketClosed(code: number | undefined): void;
  /** An HTTP request got an answer, whatever it said about the request. */
  httpAnswered(): void;
  /** An HTTP request failed with NETWORK_ERROR or UNAVAILABLE. */
  httpFailed(retryAfterMs: number | null): void;
}

/** Close codes of the API (DESIGN.md §3). */
export const enum CloseCode {
  /** Token expired or session revoked: refresh, then reconnect. */
  SessionEnded = 4401,
  /** Bad or missing token at connection_init. */
  Forbidden = 4403,
}

/** The client pings the server this often over the WebSocket (ms)... */
const KEEP_ALIVE_MS = 15_000;
/** ...and drops the socket when the pong takes longer than this (ms). */
const PONG_TIMEOUT_MS = 5_000;

/** Operations whose UNAUTHENTICATED answer means "wrong credentials", never "refresh and retry". */
const NO_REFRESH = new Set(['LogIn', 'SignUp', 'RefreshSession', 'LogOut']);

/** `ws(s)://<host>/graphql` on the page's own origin. */
export function wsUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
}

function isUnauthenticated(errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined): boolean {
  return !!errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

function createWs(
  session: SessionHooks,
  connection: ConnectionHooks,
  onReconnected: () => void,
): { ws: WsClient; connected(): boolean; whenConnected(): Promise<void> } {
  let sentToken: string | null = null;
  let everConnected = false;
  let isConnected = false;
  let waiting: Array<() => void> = [];
  let pongOverdue: ReturnType<typeof setTimeout> | undefined;
  const client: WsClient = createClient({
    url: wsUrl(window.location),
    lazy: true,
    keepAlive: KEEP_ALIVE_MS,
    retryAttempts: Infinity,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffMs(retries))),
    // 4403 means the token is no good: retrying with it would only be refused again.
    shouldRetry: (event) =>
      !(typeof event === 'object' && event !== null && (event as CloseEvent).code === CloseCode.Forbidden),
    connectionParams: async () => {
      sentToken = await session.accessToken();
      return sentToken ? { authorization: `Bearer ${sentToken}` } : {};
    },
    on: {
      connected: () => {
        isConnected = true;
        connection.socketConnected();
        waiting.forEach((resolve) => resolve());
        waiting = [];
        if (everConnected) onReconnected();
        everConnected = true;
      },
      // A server that stopped answering (frozen, or a half-open TCP path) closes nothing: a ping
      // without its pong within PONG_TIMEOUT_MS drops the socket (4499, retried like any drop).
      ping: (received) => {
        if (!received) pongOverdue = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongOverdue);
      },
      closed: (event) => {
        clearTimeout(pongOverdue);
        isConnected = false;
        const code = (event as CloseEvent | undefined)?.code;
        connection.socketClosed(code);
        // graphql-ws ends the subscriptions on 4401 and 4403 (not retried); `subscribeLive` re-opens
        // them once the token is fresh. Refresh only if nobody did since this socket's token was
        // sent. A token refused at connection_init (4403, e.g. it expired while the server was
        // away) gets a refresh too: only the refresh endpoint's refusal ends the session.
        if (code === CloseCode.SessionEnded || code === CloseCode.Forbidden) {
          void session.accessToken().then((current) => {
            if (current && current === sentToken) void session.refresh();
          });
        }
      },
    },
  });
  return {
    ws: client,
    connected: () => isConnected,
    // Bounded (5 s): a subscription refused at once lets the lazy socket close before anyone waits.
    whenConnected: () =>
      isConnected
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting.push(resolve);
            setTimeout(resolve, 5_000);
          }),
  };
}

/**
 * Builds the Apollo client: subscriptions, and chat sends while the socket is up, over graphql-ws;
 * everything else over HTTP with the bearer token; an UNAUTHENTICATED answer refreshes the session once and retries the operation.
 * The Pinia stores are the source of truth for data, so Apollo's cache is bypassed (`no-cache`).
 */
export function createApi(session: SessionHooks, connection: ConnectionHooks): ApiContext {
  const reconnectListeners = new Set<() => void>();
  const { ws, connected, whenConnected } = createWs(session, connection, () =>
    reconnectListeners.forEach((fn) => fn()),
  );

  const auth = setContext(async (operation, { headers }) => {
    if (operation.operationName === 'RefreshSession') return { headers };
    const token = await session.accessToken();
    return { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });

  const refreshOnce = onError(({ graphQLErrors, networkError, operation, forward }) => {
    const bodyErrors = (networkError as { result?: { errors?: [] } } | undefined)?.result?.errors;
    if (!isUnauthenticated(graphQLErrors) && !isUnauthenticated(bodyErrors)) return;
    if (NO_REFRESH.has(operation.operationName) || operation.getContext().refreshed) return;
    operation.setContext({ refreshed: true });
    return new Observable((observer) => {
      let inner: { unsubscribe(): void } | undefined;
      session.refresh().then(
        (ok) => {
          if (!ok) return observer.error(networkError ?? new Error('Session expired'));
          inner = forward(operation).subscribe(observer);
        },
        (err) => observer.error(err),
      );
      return () => inner?.unsubscribe();
    });
  });

  // Every HTTP answer tells whether the API is reachable (UNAVAILABLE: reachable, but not working).
  const reachability = new ApolloLink(
    (operation, forward) =>
      new Observable((observer) => {
        const sub = forward(operation).subscribe({
          next: (result) => {
            const unavailable = result.errors?.find((e) => e.extensions?.code === 'UNAVAILABLE');
            if (unavailable) connection.httpFailed(toApiError(unavailable).retryAfterMs);
            else connection.httpAnswered();
            observer.next(result);
          },
          error: (err: unknown) => {
            const apiError = toApiError(err);
            if (isTransient(apiError)) connection.httpFailed(apiError.retryAfterMs);
            else connection.httpAnswered();
            observer.error(err);
          },
          complete: () => observer.complete(),
        });
        return () => sub.unsubscribe();
      }),
  );
  const http = ApolloLink.from([
    refreshOnce,
    auth,
    reachability,
    new HttpLink({ uri: '/graphql', credentials: 'same-origin' }),
  ]);
  const link = split(
    ({ query, operationName }) => runsOverSocket(getMainDefinition(query), operationName, connected()),
    new GraphQLWsLink(ws),
    http,
  );

  const client = new ApolloClient({
    link,
    cache: new InMemoryCache(),
    defaultOptions: {
      query: { fetchPolicy: 'no-cache' },
      watchQuery: { fetchPolicy: 'no-cache' },
      mutate: { fetchPolicy: 'no-cache' },
    },
  });

  return {
    client,
    onReconnected(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    whenConnected,
    async uploadImage(file) {
      const send = async () => {
        const token = await session.accessToken();
        const body = new FormData();
        body.append('file', file);
        return fetch('/uploads', { method: 'POST', body, headers: token ? { authorization: `Bearer ${token}` } : {} });
      };
      let res = await send();
      if (res.status === 401 && (await session.refresh())) res = await send();
      const json = (await res.json().catch(() => ({}))) as { id?: string; errors?: unknown[] };
      if (!res.ok || !json.id)
        throw json.errors ? apiFailure({ errors: json.errors }) : new Error(`Upload failed (${res.status})`);
      return { id: json.id };
    },
    dispose() {
      void ws.dispose();
      void client.clearStore();
    },
  };
}
