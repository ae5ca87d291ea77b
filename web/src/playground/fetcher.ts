import { createGraphiQLFetcher, type Fetcher, type FetcherParams, type Observable } from '@graphiql/toolkit';
import { getOperationAST, parse } from 'graphql';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';

/** Bad or missing token at connection_init (DESIGN.md §3): retrying with the same token cannot help. */
const FORBIDDEN = 4403;

/** What the API's close codes ask of the user (DESIGN.md §3). */
const CLOSE_HINTS: Record<number, string> = {
  4401: 'the access token expired or the session ended; log in again (or refreshToken) and update the header',
  [FORBIDDEN]: 'missing or invalid token; set "Authorization": "Bearer <accessToken>" in Headers',
  4429: 'too many open sockets for this user',
};

/** The header editor's Authorization value, whatever the case of its name. */
export function authorizationOf(headers: Record<string, unknown> | undefined): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization');
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
}

/**
 * Parsed from the text being run: GraphiQL's own `documentAST` lags the editor by a debounce, so a
 * subscription typed and run at once would otherwise go over HTTP.
 */
function isSubscription(params: FetcherParams): boolean {
  try {
    return getOperationAST(parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false; // the server reports the syntax error
  }
}

/** Plain objects, not Errors: GraphiQL prints an Error's stack trace into the result pane. */
function describeError(error: unknown): unknown {
  if (error instanceof CloseEvent) {
    const hint = CLOSE_HINTS[error.code];
    return { message: `Socket closed with ${error.code} ${error.reason}`.trim() + (hint ? `: ${hint}` : '') };
  }
  if (error instanceof Error) return { message: error.message };
  return error; // graphql-ws passes the server's GraphQL errors as they came
}

type Observer = { next?: (result: ExecutionResult) => void; error?: (error: unknown) => void; complete?: () => void };

/** One subscription as the Observable GraphiQL consumes: its stop button calls `unsubscribe`. */
function subscribe(client: Client, params: FetcherParams): Observable<ExecutionResult> {
  return {
    subscribe(
      nextOrObserver?: Observer | Observer['next'],
      error?: Observer['error'] | null,
      complete?: Observer['complete'],
    ) {
      const sink: Observer =
        typeof nextOrObserver === 'function'
          ? { next: nextOrObserver, error: error ?? undefined, complete }
          : (nextOrObserver ?? {});
      const unsubscribe = client.subscribe(
        { query: params.query, variables: params.variables, operationName: params.operationName },
        {
          // The wire carries formatted errors (plain objects); GraphiQL only prints them.
          next: (result) => sink.next?.(result as ExecutionResult),
          error: (err) => sink.error?.(describeError(err)),
          complete: () => sink.complete?.(),
        },
      );
      return { unsubscribe };
    },
  };
}

/**
 * GraphiQL's fetcher. Queries and mutations go over HTTP to `url` (@graphiql/toolkit) with the
 * header editor's headers; subscriptions go over graphql-ws to `subscriptionUrl`, and the same
 * Authorization header travels in the connection_init payload as `{ authorization }` (DESIGN.md §3).
 * Each distinct Authorization value gets its own lazy client, which holds a socket only while one
 * of its subscriptions runs; a new token in the header editor applies to the next subscription.
 */
export function createPlaygroundFetcher(options: { url: string; subscriptionUrl: string }): Fetcher {
  const http = createGraphiQLFetcher({ url: options.url });
  const clients = new Map<string, Client>();
  const clientFor = (authorization: string | undefined) => {
    let client = clients.get(authorization ?? '');
    if (!client) {
      client = createClient({
        url: options.subscriptionUrl,
        connectionParams: authorization ? { authorization } : {},
        // graphql-ws retries a 4403 by default, with backoff for half a minute: show it at once instead.
        shouldRetry: (event) => !(event instanceof CloseEvent && event.code === FORBIDDEN),
      });
      clients.set(authorization ?? '', client);
    }
    return client;
  };
  return (params, opts) =>
    isSubscription(params) ? subscribe(clientFor(authorizationOf(opts?.headers)), params) : http(params, opts);
}
