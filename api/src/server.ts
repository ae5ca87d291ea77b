import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from './config';
import { createOrm, migrate, type Orm } from './infra/db/orm';
import { createApollo } from './infra/graphql/apollo';
import type { Context } from './infra/graphql/context';
import { createSchema } from './infra/graphql/schema';
import { attachGraphqlWs } from './infra/graphql/ws';
import { WsSessions } from './infra/graphql/ws-sessions';
import { createHttpApp } from './infra/http/app';
import { refreshCookieFor } from './infra/http/refresh-cookie';
import { loadOrCreateJwtSecret } from './infra/jwt-secret';
import { createLogger, type Logger } from './infra/logger';
import { createMetrics, registerQueueGauge, type Metrics } from './infra/metrics';
import { createMemoryPubSub } from './infra/pubsub/pubsub.memory';
import type { PubSub } from './infra/pubsub/pubsub.port';
import { createRedisPubSub } from './infra/pubsub/pubsub.redis';
import { createMemoryRateLimiterFactory } from './infra/ratelimit/rate-limiter.memory';
import type { RateLimiterFactory } from './infra/ratelimit/rate-limiter.port';
import { createRedisRateLimiterFactory } from './infra/ratelimit/rate-limiter.redis';
import { connectRedis, type RedisClients } from './infra/redis/clients';
import { SESSION_REVOKED_TOPIC, type SessionRevokedEvent } from './modules/auth/auth.events';
import { AuthResolver } from './modules/auth/auth.resolver';
import { AuthService } from './modules/auth/auth.service';
import { PasswordHasher } from './modules/auth/password';
import { createMemoryRefreshTokenStore } from './modules/auth/refresh-token.memory';
import type { RefreshTokenStore } from './modules/auth/refresh-token.port';
import { createRedisRefreshTokenStore } from './modules/auth/refresh-token.redis';
import { AccessTokens } from './modules/auth/tokens';
import { ChatResolver } from './modules/chat/chat.resolver';
import { ChatService } from './modules/chat/chat.service';
import { createMemoryMatchQueue } from './modules/matching/match-queue.memory';
import type { MatchQueue } from './modules/matching/match-queue.port';
import { createRedisMatchQueue } from './modules/matching/match-queue.redis';
import { MatchResolver } from './modules/matching/match.resolver';
import { MatchService } from './modules/matching/match.service';
import { UserResolver } from './modules/users/user.resolver';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  logger: Logger;
  /** Graceful shutdown: stop accepting, close sockets (1012), drain requests, close DB and Redis. */
  close(): Promise<void>;
}

interface Adapters {
  pubsub: PubSub;
  limiters: RateLimiterFactory;
  refreshStore: RefreshTokenStore;
  matchQueue: MatchQueue;
  redis?: RedisClients;
}

/** Production adapters when REDIS_URL is set, in-process ones otherwise (one instance only). */
async function createAdapters(config: Config, logger: Logger): Promise<Adapters> {
  const { offerTtlMs, cooldownMs, searchTimeoutMs, presenceGraceMs } = config.matching;
  const queueOptions = { offerTtlMs, cooldownMs, searchTimeoutMs, presenceGraceMs };
  if (!config.redis) {
    return {
      pubsub: createMemoryPubSub(),
      limiters: createMemoryRateLimiterFactory(),
      refreshStore: createMemoryRefreshTokenStore(),
      matchQueue: createMemoryMatchQueue(queueOptions),
    };
  }
  const redis = await connectRedis(config.redis.url, logger);
  const { prefix } = config.redis;
  return {
    redis,
    pubsub: createRedisPubSub({ publisher: redis.command, subscriber: redis.subscriber }, { topicPrefix: prefix }),
    limiters: createRedisRateLimiterFactory(redis.command, { prefix }),
    refreshStore: createRedisRefreshTokenStore(redis.command, { prefix }),
    matchQueue: createRedisMatchQueue(redis.command, { ...queueOptions, prefix }),
  };
}

function createAuthService(config: Config, adapters: Adapters, logger: Logger): AuthService {
  const { auth } = config;
  const window = (name: string, points: number, durationMs: number) =>
    adapters.limiters.create({ name, points, durationMs, blockDurationMs: durationMs });
  return new AuthService({
    hasher: new PasswordHasher({ logN: auth.scryptLogN, r: 8, p: 1 }),
    accessTokens: new AccessTokens({
      secret: auth.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir),
      issuer: auth.issuer,
      audience: auth.audience,
      ttlMs: auth.accessTokenTtlMs,
    }),
    refreshStore: adapters.refreshStore,
    limiters: {
      loginAccount: window('login-account', auth.loginMaxFailuresPerAccount, auth.loginWindowMs),
      loginIp: window('login-ip', auth.loginMaxAttemptsPerIp, auth.loginWindowMs),
      signUpIp: window('signup-ip', auth.signUpMaxPerIp, auth.signUpWindowMs),
    },
    pubsub: adapters.pubsub,
    logger,
    refreshTokenTtlMs: auth.refreshTokenTtlMs,
    refreshReuseLeewayMs: auth.refreshReuseLeewayMs,
  });
}

async function readiness(orm: Orm, redis: RedisClients | undefined, shuttingDown: () => boolean) {
  const probe = async (check: () => Promise<unknown>) => {
    try {
      await Promise.race([check(), new Promise((_, reject) => setTimeout(reject, 2000).unref())]);
      return true;
    } catch {
      return false;
    }
  };
  const [database, cache] = await Promise.all([
    probe(() => orm.em.getConnection('write').execute('select 1')),
    redis && probe(() => redis.command.ping()),
  ]);
  // Embedded mode has no Redis to check.
  return { database, ...(redis ? { redis: cache === true } : {}), accepting: !shuttingDown() };
}

/** The composition root: config -> ORM -> Redis -> adapters -> services -> schema -> HTTP + WebSocket. */
export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const orm = await createOrm(config, () => metrics.dbQueries.inc());
  let adapters: Adapters | undefined;
  try {
    if (!config.database || config.database.migrateOnStart) await migrate(orm, logger);
    adapters = await createAdapters(config, logger);
    return await serve(config, logger, metrics, orm, adapters);
  } catch (err) {
    // Release what was opened, so a failed start leaves no connections behind.
    await adapters?.redis?.quit();
    await orm.close();
    throw err;
  }
}

async function serve(config: Config, logger: Logger, metrics: Metrics, orm: Orm, adapters: Adapters): Promise<RunningServer> {
  const auth = createAuthService(config, adapters, logger);
  const matching = new MatchService({
    queue: adapters.matchQueue,
    pubsub: adapters.pubsub,
    orm,
    requestLimiter: adapters.limiters.create({ name: 'match-request', points: config.matching.requestsPerMinute, durationMs: 60_000 }),
    logger,
    gridCellKm: config.matching.gridCellKm,
    presenceGraceMs: config.matching.presenceGraceMs,
    sweepIntervalMs: config.matching.sweepIntervalMs,
    onMatched: () => metrics.matchesMade.inc(),
  });
  registerQueueGauge(metrics, () => adapters.matchQueue.searchingCount());
  const perMinute = (name: string, points: number) => adapters.limiters.create({ name, points, durationMs: 60_000 });
  const chat = new ChatService({
    orm,
    pubsub: adapters.pubsub,
    queue: adapters.matchQueue,
    limiters: {
      send: perMinute('chat-send', config.chat.messagesPerMinute),
      typing: perMinute('chat-typing', config.chat.typingPerMinute),
      report: adapters.limiters.create({ name: 'report', points: config.chat.reportsPerHour, durationMs: 3_600_000 }),
    },
    onMessage: () => metrics.messagesSent.inc(),
  });
  const services = { matching, chat };
  const schema = await createSchema([new AuthResolver(auth), new UserResolver(), new MatchResolver(matching), new ChatResolver(chat)]);
  const sessions = new WsSessions();

  const httpServer: HttpServer = createServer();
  const ws = attachGraphqlWs({ httpServer, schema, config, orm, logger, auth, metrics, sessions, services });
  const apollo = createApollo(schema, httpServer, config, metrics, () => ws.dispose());
  await apollo.start();

  const revocations = await adapters.pubsub.subscribe<SessionRevokedEvent>(SESSION_REVOKED_TOPIC);
  void (async () => {
    for await (const event of revocations) sessions.closeSessions(event.sessionIds);
  })().catch((err: unknown) => logger.error({ err }, 'session revocation listener stopped'));

  let shuttingDown = false;
  const app = createHttpApp({
    config,
    apollo,
    metrics,
    logger,
    webDistDir: config.http.webDistDir ?? path.resolve(__dirname, '../../web/dist'),
    readiness: () => readiness(orm, adapters.redis, () => shuttingDown),
    context: async (req, res): Promise<Context> => {
      const header = req.get('authorization');
      const token = header ? /^Bearer (\S+)$/i.exec(header.trim())?.[1] : undefined;
      const requestId = String(res.locals.requestId);
      return {
        requestId,
        ip: req.ip ?? 'unknown',
        em: orm.em.fork(),
        logger: logger.child({ requestId }),
        auth: header && !token ? { user: null, error: 'Authorization header must be "Bearer <token>"' } : await auth.authenticate(token),
        refreshCookie: refreshCookieFor(req, res),
        services,
      };
    },
  });
  httpServer.on('request', app);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.http.port, config.http.host, resolve);
  });
  matching.start();
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  logger.info({ port, database: config.database ? 'mysql' : 'sqlite', redis: Boolean(config.redis) }, 'randchat api listening');

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    logger,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        matching.stop();
        await apollo.stop();
        await revocations.return?.();
        await adapters.pubsub.dispose();
        await adapters.limiters.dispose();
        await adapters.refreshStore.dispose();
        await adapters.matchQueue.dispose();
        await adapters.redis?.quit();
        await orm.close();
        logger.info('randchat api stopped');
      })();
      return closing;
    },
  };
}
