import { ApolloClient, ApolloLink, InMemoryCache, Observable, type FetchResult } from '@apollo/client/core';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { createApp } from 'vue';
import { apiKey, type ApiContext } from '../api/context';

type Vars = Record<string, unknown>;
type Handler = (variables: Vars) => unknown;

/** A GraphQL error answer, shaped like the API's. */
export class GqlError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'GqlError';
  }
}

/**
 * An in-memory stand-in for the API behind a real ApolloClient: operations are answered by
 * per-operation handlers (a thrown GqlError becomes a GraphQL error), every call is logged, and
 * subscriptions stay open until the test emits into them.
 */
export class FakeServer {
  readonly calls: { operation: string; variables: Vars }[] = [];
  readonly handlers: Record<string, Handler> = {};
  private readonly streams = new Map<string, Set<{ next(r: FetchResult): void; complete(): void }>>();
  private reconnectListeners = new Set<() => void>();
  uploads = 0;

  readonly link = new ApolloLink(
    (operation) =>
      new Observable<FetchResult>((observer) => {
        const name = operation.operationName;
        this.calls.push({ operation: name, variables: operation.variables });
        if (
          operation.query.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'subscription')
        ) {
          const set = this.streams.get(name) ?? new Set();
          const sink = { next: (r: FetchResult) => observer.next(r), complete: () => observer.complete() };
          set.add(sink);
          this.streams.set(name, set);
          return () => set.delete(sink);
        }
        const handler = this.handlers[name];
        Promise.resolve()
          .then(() => {
            if (!handler) throw new Error(`No handler for ${name}`);
            return handler(operation.variables);
          })
          .then(
            (data) => {
              observer.next({ data: data as Record<string, unknown> });
              observer.complete();
            },
            (err) => {
              if (err instanceof GqlError) {
                observer.next({
                  errors: [{ message: err.code, extensions: { code: err.code, ...err.extra } }],
                } as FetchResult);
                observer.complete();
              } else observer.error(err);
            },
          );
        return () => undefined;
      }),
  );

  readonly client = new ApolloClient({
    link: this.link,
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: 'no-cache' }, mutate: { fetchPolicy: 'no-cache' } },
  });

  readonly api: ApiContext = {
    client: this.client as ApolloClient<unknown>,
    onReconnected: (listener) => {
      this.reconnectListeners.add(listener);
      return () => this.reconnectListeners.delete(listener);
    },
    whenConnected: () => Promise.resolve(),
    uploadImage: async () => ({ id: `upload-${++this.uploads}` }),
    dispose: () => undefined,
  };

  /** Delivers one event to every open subscription of that operation. */
  emit(operation: string, data: unknown): void {
    for (const sink of this.streams.get(operation) ?? []) sink.next({ data: data as Record<string, unknown> });
  }

  subscribers(operation: string): number {
    return this.streams.get(operation)?.size ?? 0;
  }

  /** As after the WebSocket came back from a drop. */
  reconnect(): void {
    this.reconnectListeners.forEach((fn) => fn());
  }

  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }
}

/** A fresh Pinia inside an app that provides the fake API, as main.ts does with the real one. */
export function freshPinia(server: FakeServer): Pinia {
  const app = createApp({});
  app.provide(apiKey, server.api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return pinia;
}

/** Resolves once `check` holds (polled every 5 ms), or rejects after `ms` milliseconds. */
export async function waitFor(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const session = (id = 'u1', ttlMs = 15 * 60_000) => ({
  accessToken: `token-${Math.random().toString(36).slice(2)}`,
  accessTokenExpiresAt: new Date(Date.now() + ttlMs).toISOString(),
  user: {
    id,
    nickname: 'Ana',
    gender: null,
    birthYear: null,
    age: null,
    maskedEmail: 'a***@example.com',
    phoneVerified: false,
    maskedPhone: null,
    createdAt: new Date().toISOString(),
    role: null,
    photo: null,
  },
});
