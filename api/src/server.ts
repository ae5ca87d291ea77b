import {
  createAdapters,
  createMailer,
  createSms,
  createMediaStorage,
  disposeAdapters,
  jwtSecretOf,
  readiness,
  routeReads,
  vapidOf,
  type Adapters,
} from './adapters';
import type { Config } from './config';
import { systemClock, type Clock } from './infra/clock';
import { createOrm, migrate, type Orm } from './infra/db/orm';
import { sqlRunnerFor } from './infra/db/sql-runner';
import type { ReplicaRouter } from './infra/db/replica-router';
import { DomainEvents } from './infra/events/domain-events';
import { devOutboxRoute } from './infra/http/dev-outbox';
import type { OutboxMailer } from './infra/mail/mailer.outbox';
import { createMediaRouter } from './infra/http/media-route';
import { createLogger, type Logger } from './infra/logger';
import { createMetrics, registerQueueGauge, type Metrics } from './infra/metrics';
import { WsCloseCode } from './infra/graphql/ws-sessions';
import { authenticateHeader, startTransport } from './infra/transport';
import { createAuthModule, SANCTION_REASONS } from './modules/auth';
import { createChatModule } from './modules/chat';
import { createMatchingModule } from './modules/matching';
import { createMediaModule, type MediaService } from './modules/media';
import { createModerationModule } from './modules/moderation';
import { createPushModule } from './modules/push';
import { createTrustModule } from './modules/trust';
import { createUsersModule } from './modules/users';
import { createAppSchema, entities } from './registry';

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

/** What a caller (tests, tools) may pass besides the configuration. */
export interface ServerOptions {
  logger?: Logger;
  /**
   * The one clock of every module (tests move it): the age rule, new accounts, code and reset-link
   * expiry, report windows, suspensions, the evidence purge and the match queue's deadlines. Access
   * tokens, login sessions and rate limits keep the real time (a token is verified by the real
   * time), and so do timestamps that entities default to (a user's createdAt); rooms and messages
   * take theirs from this clock (a room's createdAt feeds the pair memory). @default systemClock
   */
  clock?: Clock;
}

interface Root {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  orm: Orm;
  adapters: Adapters;
  reads?: ReplicaRouter;
  clock: Clock;
}

/** The composition root: config -> ORM -> adapters -> modules (bottom up) -> schema -> HTTP + WebSocket. */
const devOutboxes = (outbox: OutboxMailer | undefined) => (outbox ? [devOutboxRoute(outbox)] : []);

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const orm = await createOrm(config, entities, () => metrics.dbQueries.inc());
  const reads = routeReads(orm, config, logger, metrics);
  let adapters: Adapters | undefined;
  try {
    await reads?.start();
    if (!config.database || config.database.migrateOnStart) await migrate(orm, logger);
    adapters = await createAdapters(config, logger);
    return await serve({ config, logger, metrics, orm, adapters, reads, clock: options.clock ?? systemClock });
  } catch (err) {
    // Release what was opened, so a failed start leaves no connections behind.
    reads?.stop();
    if (adapters) await disposeAdapters(adapters);
    await orm.close();
    throw err;
  }
}

async function serve({ config, logger, metrics, orm, adapters, reads, clock }: Root): Promise<RunningServer> {
  // What every module factory may take; each picks its own part of the configuration.
  // Hand-written statements for hot paths, on the ORM's own connections.
  const sql = sqlRunnerFor(orm, { statementTimeoutMs: config.deadlines.databaseMs });
  const base = { orm, sql, logger, events: new DomainEvents(), pubsub: adapters.pubsub, limiters: adapters.limiters };
  const mailer = createMailer(config);
  const sms = createSms(config);
  const storage = createMediaStorage(config);
  const { trust } = config;
  const users = createUsersModule({ ...base, clock, config: { adultAge: trust.adultAge } });
  const auth = createAuthModule({
    ...base,
    users,
    config,
    mailer,
    jwtSecret: jwtSecretOf(config),
    clock,
    onMailSent: () => metrics.mailsSent.inc(),
    onMailFailure: () => metrics.mailFailures.inc(),
  });
  const media = createMediaModule({
    ...base,
    users,
    storage: storage.storage,
    authenticate: authenticateHeader(auth.authenticate),
    config: config.media,
  });
  const chat = createChatModule({
    ...base,
    users,
    media,
    // A set-up holds a pool connection for two short reads: this many at once keep the pool's
    // queue far below what it serves within DATABASE_TIMEOUT (SQLite: statements run in-process).
    config: {
      ...config.chat,
      streamSetups: 8 * (config.database?.poolMax ?? 10),
      trust: { ...trust, phoneCountry: config.phone.defaultCountry },
    },
    clock,
    onMessage: () => metrics.messagesSent.inc(),
  });
  const matching = createMatchingModule({
    ...base,
    users,
    chat,
    queue: adapters.matchQueue,
    config: { ...config.matching, trust },
    clock,
    onMatched: () => metrics.matchesMade.inc(),
  });
  const trustModule = createTrustModule({
    ...base,
    users,
    sms: sms.sms,
    jwtSecret: jwtSecretOf(config),
    clock,
    config: { trust, phone: config.phone },
  });
  const push = createPushModule({
    ...base,
    chat,
    presence: adapters.presence,
    vapid: vapidOf(config),
    config: { allowLoopbackHttp: !config.isProduction, offerTtlMs: config.matching.offerTtlMs },
    onSkippedOnline: () => metrics.pushesSkippedOnline.inc(),
  });
  const moderation = createModerationModule({
    ...base,
    users,
    chat,
    clock,
    config: { reportsPerHour: config.chat.reportsPerHour, quarantineReports: config.moderation.quarantineReports },
  });
  await moderation.prepare();
  registerQueueGauge(metrics, () => adapters.matchQueue.searchingCount());

  const transport = await startTransport({
    ...base,
    config,
    metrics,
    schema: await createAppSchema(
      [users, auth, media, chat, matching, push, moderation, trustModule].flatMap((m): object[] => m.resolvers),
    ),
    streams: { ...chat.streams, ...matching.streams },
    authenticate: auth.authenticate,
    isSessionLive: auth.isSessionLive,
    routes: [
      // Dev mails and dev SMS share one directory: one route lists both.
      ...(config.isProduction ? [] : devOutboxes('list' in mailer ? mailer : sms.outbox)),
      ...media.routes,
      ...(storage.signer ? [createMediaRouter({ storage: storage.storage, signer: storage.signer })] : []),
    ],
    readiness: () => readiness(orm, adapters.redis),
    onUserSockets: push.socketsChanged,
  });
  const stopWatching = await auth.watchRevocations((ids, reason) =>
    SANCTION_REASONS.has(reason)
      ? transport.sessions.closeSessions(ids, WsCloseCode.FORBIDDEN, `Account ${reason.toLowerCase()}`)
      : transport.sessions.closeSessions(ids),
  );
  matching.start();
  chat.start();
  auth.start();
  const { port } = transport;
  logger.info(
    { port, database: config.database ? 'mysql' : 'sqlite', redis: Boolean(config.redis) },
    'randchat api listening',
  );

  let closing: Promise<void> | undefined;
  const close = async () => {
    matching.stop();
    await chat.stop();
    await transport.close();
    await push.stop();
    await trustModule.stop();
    await auth.stop();
    await stopWatching();
    await storage.close();
    await disposeAdapters(adapters);
    reads?.stop();
    await sql.dispose();
    await orm.close();
    logger.info('randchat api stopped');
  };
  return { url: transport.url, port, logger, media: media.media, close: () => (closing ??= close()) };
}
