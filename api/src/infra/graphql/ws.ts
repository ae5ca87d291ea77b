import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import proxyAddr from 'proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../../config';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { isPublicError, toClientError } from './client-errors';
import { LazyContext, type Authenticate, type AuthState, type Context, type SubscriptionStreams } from './context';
import { ErrorCode } from './errors';
import { limitRules, parseOptions } from './limits';
import { dropConnectionState } from './ws-connection-state';
import { WsCloseCode, WsSessions } from './ws-sessions';

export interface GraphqlWsDeps {
  httpServer: HttpServer;
  schema: GraphQLSchema;
  config: Config;
  orm: Orm;
  logger: Logger;
  authenticate: Authenticate;
  metrics: Metrics;
  sessions: WsSessions;
  streams: SubscriptionStreams;
}

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
  auth?: AuthState;
  ip?: string;
};

const NO_COOKIE = { read: () => undefined, set: () => undefined, clear: () => undefined };

/** Valid documents kept for reuse, least recently used evicted first. @default 100 */
const CACHED_DOCUMENTS = 100;
/** Longer query texts (characters) are parsed for each operation and never kept. @default 8192 */
const CACHED_QUERY_MAX_LENGTH = 8192;

function bearer(params: Record<string, unknown> | undefined): string | undefined {
  const raw = params?.authorization ?? params?.Authorization;
  if (typeof raw !== 'string') return undefined;
  const match = /^Bearer (\S+)$/i.exec(raw.trim());
  return match?.[1];
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. Authentication happens once, at connection_init
 * (4403 when refused); the socket then lives until its token expires or its session is revoked
 * (4401). Every operation passes the same parse and validation limits as HTTP.
 */
export function attachGraphqlWs(deps: GraphqlWsDeps): { dispose(): Promise<void> } {
  const { config, schema, sessions } = deps;
  const rules = [...specifiedRules, ...limitRules(config.graphql)];
  const parsing = parseOptions(config.graphql);
  // A subscription holds its document for its whole life, and a parsed one (tokens, locations) is
  // ~10 KB: operations sending the same text share one. graphql-js never mutates a document.
  const documents = new Map<string, DocumentNode>();

  /** The query's document, or the errors that refuse it (parse limits, validation). */
  const prepare = (query: string): DocumentNode | GraphQLError[] => {
    const cached = documents.get(query);
    if (cached) {
      documents.delete(query);
      documents.set(query, cached);
      return cached;
    }
    let document: DocumentNode;
    try {
      document = parse(query, parsing);
    } catch (err) {
      const message = err instanceof GraphQLError ? err.message : 'Syntax Error';
      return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const errors = validate(schema, document, rules);
    if (errors.length > 0) {
      return errors.map((e) => {
        const formatted = toClientError(e.toJSON(), e);
        return new GraphQLError(formatted.message, { extensions: formatted.extensions });
      });
    }
    if (query.length <= CACHED_QUERY_MAX_LENGTH) {
      documents.set(query, document);
      if (documents.size > CACHED_DOCUMENTS) documents.delete(documents.keys().next().value!);
    }
    return document;
  };
  const trust = proxyAddr.compile(config.http.trustProxy.split(',').map((s) => s.trim()));
  const wsServer = new WebSocketServer({
    server: deps.httpServer,
    path: '/graphql',
    maxPayload: config.ws.maxPayloadBytes,
  });

  const cleanup = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      connectionInitWaitTimeout: config.ws.initTimeoutMs,
      async onConnect(ctx) {
        const auth = await deps.authenticate(bearer(ctx.connectionParams));
        if (!auth.user) return false;
        if (sessions.countForUser(auth.user.userId) >= config.ws.maxSocketsPerUser) {
          ctx.extra.socket.close(WsCloseCode.TOO_MANY_CONNECTIONS, 'Too many open connections for this user');
          return false;
        }
        ctx.extra.auth = auth;
        ctx.extra.ip = proxyAddr(ctx.extra.request, trust);
        dropConnectionState(ctx);
        sessions.add(ctx.extra.socket, auth.user);
        deps.metrics.openSockets.set(sessions.size);
        return true;
      },
      onClose(ctx) {
        sessions.remove(ctx.extra.socket);
        deps.metrics.openSockets.set(sessions.size);
      },
      onSubscribe(ctx, _id, payload) {
        if (Object.keys(ctx.subscriptions).length >= config.ws.maxSubscriptionsPerSocket) {
          return [
            new GraphQLError(`At most ${config.ws.maxSubscriptionsPerSocket} operations may run on one socket`, {
              extensions: { code: ErrorCode.RATE_LIMITED },
            }),
          ];
        }
        const document = prepare(payload.query);
        if (Array.isArray(document)) return document;
        const contextValue: Context = new LazyContext(
          {
            ip: ctx.extra.ip ?? 'unknown',
            auth: ctx.extra.auth ?? { user: null },
            refreshCookie: NO_COOKIE,
            streams: deps.streams,
          },
          deps,
        );
        return {
          schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue,
        };
      },
      onNext(_ctx, _id, _payload, args, result) {
        if (!('errors' in result) || !result.errors?.length) return;
        const context = args.contextValue as Context;
        return {
          ...result,
          errors: result.errors.map((e) => {
            if (!isPublicError(e))
              context.logger.error({ err: e.originalError ?? e }, 'unexpected error in a subscription');
            const formatted = toClientError(e.toJSON(), e);
            deps.metrics.graphqlErrors.inc({ code: String(formatted.extensions?.code) });
            return new GraphQLError(formatted.message, {
              path: e.path,
              extensions: { ...formatted.extensions, requestId: context.requestId },
            });
          }),
        };
      },
    },
    wsServer,
    config.ws.keepAliveMs,
  );

  return {
    async dispose() {
      sessions.closeAll(WsCloseCode.SERVICE_RESTART, 'Server restarting: reconnect');
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
