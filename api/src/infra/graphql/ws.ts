import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import proxyAddr from 'proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../../config';
import type { AuthService } from '../../modules/auth/auth.service';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { isPublicError, toClientError } from './client-errors';
import type { AuthState, Context } from './context';
import { ErrorCode } from './errors';
import { limitRules, parseOptions } from './limits';
import { WsCloseCode, WsSessions } from './ws-sessions';

export interface GraphqlWsDeps {
  httpServer: HttpServer;
  schema: GraphQLSchema;
  config: Config;
  orm: Orm;
  logger: Logger;
  auth: AuthService;
  metrics: Metrics;
  sessions: WsSessions;
  services: Context['services'];
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

/**
 * graphql-ws on the HTTP server's `/graphql` path. Authentication happens once, at connection_init
 * (4403 when refused); the socket then lives until its token expires or its session is revoked
 * (4401). Every operation passes the same parse and validation limits as HTTP.
 */
export function attachGraphqlWs(deps: GraphqlWsDeps): { dispose(): Promise<void> } {
  const { config, schema, sessions, logger } = deps;
  const rules = [...specifiedRules, ...limitRules(config.graphql)];
  const trust = proxyAddr.compile(config.http.trustProxy.split(',').map((s) => s.trim()));
  const wsServer = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: config.ws.maxPayloadBytes });

  const cleanup = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      connectionInitWaitTimeout: config.ws.initTimeoutMs,
      async onConnect(ctx) {
        const auth = await deps.auth.authenticate(bearer(ctx.connectionParams));
        if (!auth.user) return false;
        if (sessions.countForUser(auth.user.userId) >= config.ws.maxSocketsPerUser) {
          ctx.extra.socket.close(WsCloseCode.TOO_MANY_CONNECTIONS, 'Too many open connections for this user');
          return false;
        }
        ctx.extra.auth = auth;
        ctx.extra.ip = proxyAddr(ctx.extra.request, trust);
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
        let document: DocumentNode;
        try {
          document = parse(payload.query, parseOptions(config.graphql));
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
        const requestId = randomUUID();
        const contextValue: Context = {
          requestId,
          ip: ctx.extra.ip ?? 'unknown',
          em: deps.orm.em.fork(),
          logger: logger.child({ requestId }),
          auth: ctx.extra.auth ?? { user: null },
          refreshCookie: NO_COOKIE,
          services: deps.services,
        };
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
            if (!isPublicError(e)) context.logger.error({ err: e.originalError ?? e }, 'unexpected error in a subscription');
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
