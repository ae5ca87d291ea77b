import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type express from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import type { Orm } from './db/orm';
import { LazyContext, type Authenticate, type AuthState, type SubscriptionStreams } from './graphql/context';
import { GraphqlPipeline } from './graphql/pipeline';
import { attachGraphqlWs } from './graphql/ws';
import { WsSessions } from './graphql/ws-sessions';
import { EventLoopLag } from './event-loop-lag';
import { createHttpApp } from './http/app';
import { createGraphqlRoute } from './http/graphql-route';
import { refreshCookieFor } from './http/refresh-cookie';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface TransportDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  orm: Orm;
  schema: GraphQLSchema;
  streams: SubscriptionStreams;
  authenticate: Authenticate;
  /** Whether a login session is still live (open sockets re-check theirs now and then). */
  isSessionLive: (sessionId: string) => Promise<boolean>;
  /** Feature routes (uploads, media, the dev outbox). */
  routes: express.Router[];
  /** The state of each backend; `accepting` is added here. */
  readiness: () => Promise<Record<string, boolean>>;
  /** A user's first socket on this instance opened (`true`), or their last one closed (`false`). */
  onUserSockets?: (userId: string, open: boolean) => Promise<void> | void;
}

export interface Transport {
  url: string;
  port: number;
  /** The open WebSockets, by login session (to close revoked ones). */
  sessions: WsSessions;
  /** Stops accepting, closes sockets with 1012 and drains HTTP requests. */
  close(): Promise<void>;
}

/** The `Authorization` header check shared by GraphQL over HTTP and feature routes (POST /uploads). */
export function authenticateHeader(authenticate: Authenticate) {
  return async (header: string | undefined): Promise<AuthState> => {
    const token = header ? /^Bearer (\S+)$/i.exec(header.trim())?.[1] : undefined;
    if (header && !token) return { user: null, error: 'Authorization header must be "Bearer <token>"' };
    return authenticate(token);
  };
}

/**
 * GraphQL over HTTP and over the WebSocket on one port, both through one pipeline
 * (graphql/pipeline.ts); `/graphql` is answered on node:http directly, every other route by express.
 */
export async function startTransport(deps: TransportDeps): Promise<Transport> {
  const { config, logger, metrics } = deps;
  const sessions = new WsSessions({
    isLive: deps.isSessionLive,
    recheckMs: config.ws.sessionRecheckMs,
    logger,
    onUserSockets: deps.onUserSockets,
  });
  // A proxy (nginx) must reuse its connections to an instance rather than open new ones under load:
  // libuv accepts one connection per turn of the event loop, so a busy instance accepts only tens of
  // new connections a second, and a request sent on a new one waits in the accept queue for seconds
  // (after a peer instance died, its catch-ups did). The instance therefore keeps idle connections
  // longer than the proxy does (nginx: keepalive_timeout 60s in the upstream block), so that the
  // proxy never sends on a connection the instance is closing.
  const httpServer = createServer({ headersTimeout: Math.max(60_000, config.http.keepAliveTimeoutMs + 1000) });
  httpServer.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  // Shedding (config.deadlines.overloadLagMs): while requests wait this long for the event loop,
  // sheddable mutations (sends, typing) are refused at once and their clients retry later.
  const lag = new EventLoopLag();
  const { overloadLagMs } = config.deadlines;
  const overloaded = overloadLagMs > 0 ? () => lag.lagMs() > overloadLagMs : undefined;
  const pipeline = new GraphqlPipeline({ schema: deps.schema, config, metrics, logger, overloaded });
  const ws = attachGraphqlWs({ ...deps, pipeline, httpServer, sessions });
  const apollo = pipeline.createApollo(httpServer, () => ws.dispose());
  await apollo.start();
  const byHeader = authenticateHeader(deps.authenticate);
  let accepting = true;
  const graphql = createGraphqlRoute({
    config,
    apollo,
    metrics,
    logger,
    context: async (exchange) =>
      new LazyContext(
        {
          requestId: exchange.requestId,
          receivedAt: exchange.receivedAt,
          ip: exchange.ip,
          auth: await byHeader(exchange.authorization),
          refreshCookie: refreshCookieFor(exchange.hostname, exchange.cookieHeader, exchange.appendSetCookie),
          streams: deps.streams,
        },
        deps,
      ),
  });
  const app = createHttpApp({
    config,
    metrics,
    logger,
    webDistDir: config.http.webDistDir ?? path.resolve(__dirname, '../../../web/dist'),
    routes: deps.routes,
    readiness: async () => ({ ...(await deps.readiness()), accepting }),
  });
  httpServer.on('request', (req, res) => {
    const url = req.url ?? '';
    const isGraphql = url === '/graphql' || url.startsWith('/graphql?') || url.startsWith('/graphql/');
    if (isGraphql) graphql(req, res);
    else void app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.http.port, config.http.host, resolve);
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  return {
    url: `http://${host}:${port}`,
    port,
    sessions,
    async close() {
      accepting = false;
      lag.stop();
      await apollo.stop();
    },
  };
}
