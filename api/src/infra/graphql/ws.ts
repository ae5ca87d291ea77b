import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import proxyAddr from 'proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../../config';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { LazyContext, type Authenticate, type AuthState, type Context, type SubscriptionStreams } from './context';
import { ErrorCode } from './errors';
import type { GraphqlPipeline } from './pipeline';
import { dropConnectionState } from './ws-connection-state';
import { WsCloseCode, WsSessions } from './ws-sessions';

export interface GraphqlWsDeps {
  httpServer: HttpServer;
  pipeline: GraphqlPipeline;
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

function bearer(params: Record<string, unknown> | undefined): string | undefined {
  const raw = params?.authorization ?? params?.Authorization;
  if (typeof raw !== 'string') return undefined;
  const match = /^Bearer (\S+)$/i.exec(raw.trim());
  return match?.[1];
}

/** Errors as graphql-ws sends them: already formatted by the pipeline (codes, masking, request id). */
function asSent(formatted: ReturnType<GraphqlPipeline['formatError']>): GraphQLError {
  return new GraphQLError(formatted.message, {
    path: formatted.path,
    extensions: formatted.extensions,
  });
}

/**
 * graphql-ws on the HTTP server's `/graphql` path, running every operation through the shared
 * pipeline (document cache, limits, compiled execution, error formatting, metrics), queries and
 * mutations as well as subscriptions. Authentication happens once, at connection_init (4403 when
 * refused); the socket then lives until its token expires or its session is revoked (4401).
 */
export function attachGraphqlWs(deps: GraphqlWsDeps): { dispose(): Promise<void> } {
  const { config, pipeline, sessions } = deps;
  const trust = proxyAddr.compile(config.http.trustProxy.split(',').map((s) => s.trim()));
  const wsServer = new WebSocketServer({
    server: deps.httpServer,
    path: '/graphql',
    maxPayload: config.ws.maxPayloadBytes,
  });

  /** Runs one operation (execute or subscribe) and records it; a subscription's time is its set-up. */
  const run = async <R>(args: ExecutionArgs, op: (a: ExecutionArgs) => Promise<R> | R): Promise<R> => {
    const started = process.hrtime.bigint();
    const result = await op(args);
    pipeline.finish({ transport: 'ws', operation: getOperationAST(args.document, args.operationName), started });
    return result;
  };

  const cleanup = useServer<Record<string, unknown>, Extra>(
    {
      schema: pipeline.schema,
      execute: (args) => run(args, (a) => pipeline.execute(a)),
      subscribe: (args) => run(args, (a) => pipeline.subscribe(a)),
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
        const added = sessions.add(ctx.extra.socket, auth.user);
        deps.metrics.openSockets.set(sessions.size);
        // Presence is written before the ack: a message sent once the socket is acked pushes nothing.
        await added;
        return true;
      },
      onClose(ctx) {
        sessions.remove(ctx.extra.socket);
        deps.metrics.openSockets.set(sessions.size);
      },
      onSubscribe(ctx, _id, payload) {
        const contextValue = new LazyContext(
          {
            receivedAt: performance.now(),
            ip: ctx.extra.ip ?? 'unknown',
            auth: ctx.extra.auth ?? { user: null },
            refreshCookie: NO_COOKIE,
            streams: deps.streams,
          },
          deps,
        );
        // graphql-ws has already reserved this operation's entry in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > config.ws.maxSubscriptionsPerSocket) {
          const error = new GraphQLError(
            `At most ${config.ws.maxSubscriptionsPerSocket} operations may run on one socket`,
            { extensions: { code: ErrorCode.RATE_LIMITED } },
          );
          return [asSent(pipeline.formatError(error, contextValue))];
        }
        const document = pipeline.prepare(payload.query);
        if (!('kind' in document)) return document.map((e) => asSent(pipeline.formatError(e, contextValue)));
        return {
          schema: pipeline.schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue,
        };
      },
      onNext(_ctx, _id, _payload, args, result: ExecutionResult) {
        if (!result.errors?.length) return;
        const context = args.contextValue as Context;
        return { ...result, errors: result.errors.map((e) => pipeline.formatError(e, context)) };
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
