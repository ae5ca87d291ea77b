import { createHmac } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import nodemailer from 'nodemailer';
import type { Config } from './config';
import { createOrm, migrate, type Orm } from './infra/db/orm';
import { createReplicaRouter, type ReplicaRouter } from './infra/db/replica-router';
import { createApollo } from './infra/graphql/apollo';
import type { AuthState, Context } from './infra/graphql/context';
import { createSchema } from './infra/graphql/schema';
import { attachGraphqlWs } from './infra/graphql/ws';
import { WsSessions } from './infra/graphql/ws-sessions';
import { createHttpApp } from './infra/http/app';
import { createMediaRouter } from './infra/http/media-route';
import { refreshCookieFor } from './infra/http/refresh-cookie';
import { loadOrCreateJwtSecret } from './infra/jwt-secret';
import { createLogger, type Logger } from './infra/logger';
import { devOutboxRoute } from './infra/http/dev-outbox';
import { MailQueue } from './infra/mail/mail-queue';
import { createOutboxMailer, type OutboxMailer } from './infra/mail/mailer.outbox';
import type { Mailer } from './infra/mail/mailer.port';
import { createSmtpMailer } from './infra/mail/mailer.smtp';
import { createMetrics, registerQueueGauge, type Metrics } from './infra/metrics';
import { createMemoryPubSub } from './infra/pubsub/pubsub.memory';
import type { PubSub } from './infra/pubsub/pubsub.port';
import { createRedisPubSub } from './infra/pubsub/pubsub.redis';
import { createMemoryRateLimiterFactory } from './infra/ratelimit/rate-limiter.memory';
import type { RateLimiterFactory } from './infra/ratelimit/rate-limiter.port';
import { createRedisRateLimiterFactory } from './infra/ratelimit/rate-limiter.redis';
import { connectRedis, type RedisClients } from './infra/redis/clients';
import { createDiskStorage } from './infra/storage/storage.disk';
import type { Storage } from './infra/storage/storage.port';
import { createS3Storage } from './infra/storage/storage.s3';
import { createUrlSigner, deriveMediaSigningSecret, type UrlSigner } from './infra/storage/url-signer';
import { SESSION_REVOKED_TOPIC, type SessionRevokedEvent } from './modules/auth/auth.events';
import { AccountResolver } from './modules/auth/account.resolver';
import { AccountService } from './modules/auth/account.service';
import { AuthResolver } from './modules/auth/auth.resolver';
import { AuthService } from './modules/auth/auth.service';
import { PasswordHasher } from './modules/auth/password';
import { createMemoryRefreshTokenStore } from './modules/auth/refresh-token.memory';
import type { RefreshTokenStore } from './modules/auth/refresh-token.port';
import { createRedisRefreshTokenStore } from './modules/auth/refresh-token.redis';
import { EmailCodes } from './modules/auth/email-codes';
import { AccessTokens } from './modules/auth/tokens';
import { ChatResolver } from './modules/chat/chat.resolver';
import { ChatService } from './modules/chat/chat.service';
import { MessageResolver } from './modules/chat/message.resolver';
import { AccountDeletionService } from './modules/users/account-deletion.service';
import { ProfileService } from './modules/users/profile.service';
import { createMemoryMatchQueue } from './modules/matching/match-queue.memory';
import type { MatchQueue } from './modules/matching/match-queue.port';
import { createRedisMatchQueue } from './modules/matching/match-queue.redis';
import { MatchResolver } from './modules/matching/match.resolver';
import { MatchService } from './modules/matching/match.service';
import { MediaService } from './modules/media/media.service';
import { createUploadsRouter } from './modules/media/uploads.route';
import { UserResolver } from './modules/users/user.resolver';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  logger: Logger;
  /** Uploaded images (for in-process tests and tools, e.g. to sign a URL). */
  media: MediaService;
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

/** SMTP when SMTP_URL is set, else the dev outbox under dataDir/outbox. */
function createMailer(config: Config): Mailer | OutboxMailer {
  if (config.mail.smtpUrl)
    return createSmtpMailer(nodemailer.createTransport(config.mail.smtpUrl), { from: config.mail.from });
  return createOutboxMailer(path.join(config.dataDir, 'outbox'), { from: config.mail.from });
}

interface AccountServices {
  auth: AuthService;
  hasher: PasswordHasher;
  account: AccountService;
  mail: MailQueue;
  mailer: Mailer | OutboxMailer;
}

/** Login sessions (AuthService) and the account lifecycle around them (AccountService, mail). */
function createAccountServices(
  config: Config,
  adapters: Adapters,
  orm: Orm,
  logger: Logger,
  metrics: Metrics,
): AccountServices {
  const { auth: authConfig, account: accountConfig } = config;
  const window = (name: string, points: number, durationMs: number) =>
    adapters.limiters.create({ name, points, durationMs, blockDurationMs: durationMs });
  const jwtSecret = authConfig.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir);
  const hasher = new PasswordHasher({ logN: authConfig.scryptLogN, r: 8, p: 1 });
  const loginAccount = window('login-account', authConfig.loginMaxFailuresPerAccount, authConfig.loginWindowMs);
  const mailer = createMailer(config);
  const mail = new MailQueue(orm, mailer, logger, {
    pollIntervalMs: config.mail.pollIntervalMs,
    maxAttempts: config.mail.maxAttempts,
    retryBaseMs: config.mail.retryBaseMs,
    onSent: () => metrics.mailsSent.inc(),
    onFailure: () => metrics.mailFailures.inc(),
  });
  const account = new AccountService({
    orm,
    auth: () => auth,
    hasher,
    codes: new EmailCodes({
      secret: createHmac('sha256', jwtSecret).update('randchat email codes').digest('base64url'),
      ttlMs: accountConfig.emailCodeTtlMs,
      maxAttempts: accountConfig.emailCodeMaxAttempts,
    }),
    mail,
    limiters: {
      mailResend: adapters.limiters.create({
        name: 'mail-resend',
        points: 1,
        durationMs: accountConfig.emailCodeResendIntervalMs,
      }),
      mailHourly: adapters.limiters.create({
        name: 'mail-hourly',
        points: accountConfig.emailCodesPerHour,
        durationMs: 3_600_000,
      }),
      mailIp: adapters.limiters.create({
        name: 'mail-ip',
        points: accountConfig.emailCodesPerHour * 3,
        durationMs: 3_600_000,
      }),
      loginAccount,
    },
    publicUrl: accountConfig.publicUrl,
    requireEmailVerification: accountConfig.requireEmailVerification,
    codeTtlMs: accountConfig.emailCodeTtlMs,
    resetTtlMs: accountConfig.passwordResetTtlMs,
    lockThreshold: accountConfig.lockThreshold,
  });
  const auth: AuthService = new AuthService({
    hasher,
    account,
    accessTokens: new AccessTokens({
      secret: jwtSecret,
      issuer: authConfig.issuer,
      audience: authConfig.audience,
      ttlMs: authConfig.accessTokenTtlMs,
    }),
    refreshStore: adapters.refreshStore,
    limiters: {
      loginAccount,
      loginIp: window('login-ip', authConfig.loginMaxAttemptsPerIp, authConfig.loginWindowMs),
      signUpIp: window('signup-ip', authConfig.signUpMaxPerIp, authConfig.signUpWindowMs),
    },
    pubsub: adapters.pubsub,
    logger,
    refreshTokenTtlMs: authConfig.refreshTokenTtlMs,
    refreshReuseLeewayMs: authConfig.refreshReuseLeewayMs,
  });
  return { auth, account, mail, mailer, hasher };
}

interface MediaStorage {
  storage: Storage;
  /** Set for the disk adapter, whose URLs the API serves itself at GET /media/... */
  signer?: UrlSigner;
  close(): Promise<void>;
}

/** S3 when S3_BUCKET is set, else files under MEDIA_DIR served at /media with HMAC-signed URLs. */
function createMediaStorage(config: Config): MediaStorage {
  const { s3, dir, baseUrl, signingSecret } = config.media;
  if (s3) {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
      forcePathStyle: s3.forcePathStyle,
      // Several S3-compatible services reject the SDK's newer default CRC32 checksums / aws-chunked bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const storage = createS3Storage(client, { bucket: s3.bucket });
    const close = async () => {
      await storage.dispose();
      client.destroy();
    };
    return { storage, close };
  }
  const secret = signingSecret
    ? Buffer.from(signingSecret)
    : deriveMediaSigningSecret(config.auth.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir));
  const signer = createUrlSigner(secret);
  const storage = createDiskStorage({ root: dir, signer, baseUrl });
  return { storage, signer, close: () => storage.dispose() };
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

/** Reads go to healthy replicas only, and fail over to the primary; health is logged and exported as metrics. */
function routeReads(orm: Orm, config: Config, logger: Logger, metrics: Metrics): ReplicaRouter | undefined {
  if (!config.database?.replicaUrls.length) return undefined;
  return createReplicaRouter(orm, {
    ...config.database.replicaCheck,
    onChange({ name, healthy, reason, lagSeconds }) {
      metrics.dbReplicaUp.set({ replica: name }, healthy ? 1 : 0);
      if (lagSeconds === null) metrics.dbReplicaLag.remove({ replica: name });
      else metrics.dbReplicaLag.set({ replica: name }, lagSeconds);
      if (healthy) logger.info({ replica: name, note: reason ?? undefined }, 'read replica in rotation');
      else logger.warn({ replica: name, reason }, 'read replica out of rotation: its reads go to the primary');
    },
    onFailover(replica, reason) {
      metrics.dbReplicaFailovers.inc({ replica, reason });
    },
  });
}

/** The composition root: config -> ORM -> Redis -> adapters -> services -> schema -> HTTP + WebSocket. */
export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const orm = await createOrm(config, () => metrics.dbQueries.inc());
  const reads = routeReads(orm, config, logger, metrics);
  let adapters: Adapters | undefined;
  try {
    await reads?.start();
    if (!config.database || config.database.migrateOnStart) await migrate(orm, logger);
    adapters = await createAdapters(config, logger);
    return await serve(config, logger, metrics, orm, adapters, reads);
  } catch (err) {
    // Release what was opened, so a failed start leaves no connections behind.
    reads?.stop();
    await adapters?.redis?.quit();
    await orm.close();
    throw err;
  }
}

async function serve(
  config: Config,
  logger: Logger,
  metrics: Metrics,
  orm: Orm,
  adapters: Adapters,
  reads?: ReplicaRouter,
): Promise<RunningServer> {
  const { auth, account, mail, mailer, hasher } = createAccountServices(config, adapters, orm, logger, metrics);
  const matching = new MatchService({
    queue: adapters.matchQueue,
    pubsub: adapters.pubsub,
    orm,
    requestLimiter: adapters.limiters.create({
      name: 'match-request',
      points: config.matching.requestsPerMinute,
      durationMs: 60_000,
    }),
    logger,
    gridCellKm: config.matching.gridCellKm,
    presenceGraceMs: config.matching.presenceGraceMs,
    sweepIntervalMs: config.matching.sweepIntervalMs,
    matchedReplayMs: config.matching.offerTtlMs,
    onMatched: () => metrics.matchesMade.inc(),
  });
  registerQueueGauge(metrics, () => adapters.matchQueue.searchingCount());
  const mediaStorage = createMediaStorage(config);
  const media = new MediaService({
    orm,
    storage: mediaStorage.storage,
    uploadLimiter: adapters.limiters.create({
      name: 'uploads',
      points: config.media.uploadsPerHour,
      durationMs: 3_600_000,
    }),
    urlTtlSeconds: config.media.urlTtlSeconds,
    logger,
    image: { maxInputPixels: config.media.maxInputPixels },
  });
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
    media,
    onMessage: () => metrics.messagesSent.inc(),
  });
  const services = { matching, chat, media };
  const deletion = new AccountDeletionService({ orm, hasher, auth, chat, media, matching });
  const schema = await createSchema([
    new AuthResolver(auth),
    new AccountResolver(account),
    new UserResolver(new ProfileService(media), media, deletion),
    new MatchResolver(matching),
    new ChatResolver(chat),
    new MessageResolver(media),
  ]);
  const sessions = new WsSessions();

  const httpServer: HttpServer = createServer();
  const ws = attachGraphqlWs({ httpServer, schema, config, orm, logger, auth, metrics, sessions, services });
  const apollo = createApollo(schema, httpServer, config, metrics, () => ws.dispose());
  await apollo.start();

  const revocations = await adapters.pubsub.subscribe<SessionRevokedEvent>(SESSION_REVOKED_TOPIC);
  void (async () => {
    for await (const event of revocations) sessions.closeSessions(event.sessionIds);
  })().catch((err: unknown) => logger.error({ err }, 'session revocation listener stopped'));

  /** The `Authorization` header check shared by GraphQL over HTTP and POST /uploads. */
  const authenticate = async (header: string | undefined): Promise<AuthState> => {
    const token = header ? /^Bearer (\S+)$/i.exec(header.trim())?.[1] : undefined;
    return header && !token
      ? { user: null, error: 'Authorization header must be "Bearer <token>"' }
      : auth.authenticate(token);
  };

  let shuttingDown = false;
  const app = createHttpApp({
    config,
    apollo,
    metrics,
    logger,
    webDistDir: config.http.webDistDir ?? path.resolve(__dirname, '../../web/dist'),
    routes: [
      ...('list' in mailer && !config.isProduction ? [devOutboxRoute(mailer)] : []),
      createUploadsRouter({ media, authenticate, maxBytes: config.media.uploadMaxBytes, logger }),
      ...(mediaStorage.signer
        ? [createMediaRouter({ storage: mediaStorage.storage, signer: mediaStorage.signer })]
        : []),
    ],
    readiness: () => readiness(orm, adapters.redis, () => shuttingDown),
    context: async (req, res): Promise<Context> => {
      const requestId = String(res.locals.requestId);
      return {
        requestId,
        ip: req.ip ?? 'unknown',
        em: orm.em.fork(),
        logger: logger.child({ requestId }),
        auth: await authenticate(req.get('authorization')),
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
  mail.start();
  void mail.kick();
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  logger.info(
    { port, database: config.database ? 'mysql' : 'sqlite', redis: Boolean(config.redis) },
    'randchat api listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    logger,
    media,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        matching.stop();
        await apollo.stop();
        await mail.stop();
        await mailer.dispose();
        await revocations.return?.();
        await mediaStorage.close();
        await adapters.pubsub.dispose();
        await adapters.limiters.dispose();
        await adapters.refreshStore.dispose();
        await adapters.matchQueue.dispose();
        await adapters.redis?.quit();
        reads?.stop();
        await orm.close();
        logger.info('randchat api stopped');
      })();
      return closing;
    },
  };
}
