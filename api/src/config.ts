import path from 'node:path';
import { z } from 'zod';
import { env, envVariables, nameOfIssue, presentWhen, presentWhenAny, readEnv, together } from './config/env';
import {
  base64urlBytes,
  bool,
  duration,
  flag,
  hostPortList,
  hoursAsMs,
  int,
  secondsAsMs,
  secret,
  url,
  urlList,
  withoutTrailingSlash,
} from './config/parsers';

/** Thrown for an invalid environment; its message is the one line the process prints before exiting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const MYSQL = ['mysql:', 'mariadb:'];
const HTTP = ['http:', 'https:'];
const REDIS = ['redis:', 'rediss:'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every variable, once: `key: env(NAME, parser with its default and limits, doc)`, nested as the code
 * reads it; `Config` is this schema's output. Rules over several variables follow their section, and the
 * last step fills the defaults that depend on another variable. Operators read the README's table.
 */
const schema = z
  .object({
    env: env('NODE_ENV', z.enum(['development', 'test', 'production']).default('development'), 'deployment kind'),
    http: z.object({
      host: env('HOST', z.string().default('0.0.0.0'), 'listen address'),
      port: env('PORT', int(4000, 0, 65535), 'HTTP + WebSocket port'),
      bodyLimitBytes: env('HTTP_BODY_LIMIT_BYTES', int(65_536, 1024, 10_485_760), 'request body cap'),
      trustProxy: env('TRUST_PROXY', z.string().default('loopback'), 'proxies trusted for X-Forwarded-For'),
      keepAliveTimeoutMs: env(
        'HTTP_KEEPALIVE_TIMEOUT',
        duration('65s', { min: '1s', max: '1h' }),
        "how long an idle connection stays open: longer than the proxy's idle timeout for its upstream connections",
      ),
      webDistDir: env('WEB_DIST_DIR', z.string().optional(), 'built web app to serve at /; absent: web/dist'),
    }),
    dataDir: env('DATA_DIR', z.string().default('./data'), 'SQLite file, generated JWT secret, outbox, uploads'),
    /** Absent: embedded SQLite file under dataDir. */
    database: presentWhen(
      ['url'],
      z
        .object({
          url: env('DATABASE_URL', url(MYSQL).optional(), 'the primary; absent: embedded SQLite'),
          replicaUrls: env('DATABASE_REPLICA_URLS', urlList(MYSQL), 'comma-separated read replicas'),
          poolMax: env('DATABASE_POOL_MAX', int(10, 1, 200), 'connections per pool'),
          migrateOnStart: env('MIGRATE_ON_START', bool(true), 'run pending migrations at start-up'),
          /** How reads are kept off replicas that are down or behind (see infra/db/replica-router.ts). */
          replicaCheck: z.object({
            intervalMs: env('DATABASE_REPLICA_CHECK_INTERVAL', duration('1s', { min: '100ms' }), 'probe period'),
            timeoutMs: env('DATABASE_REPLICA_TIMEOUT', duration('2s', { min: '100ms' }), 'probe deadline'),
            maxLagMs: env('DATABASE_REPLICA_MAX_LAG', duration('10s'), 'replica lag that stops reads; 0: no limit'),
          }),
        })
        .superRefine((db, ctx) => {
          if (db.replicaUrls.length > 0 && !db.url) {
            ctx.addIssue({ code: 'custom', path: ['replicaUrls'], message: 'needs DATABASE_URL (the primary)' });
          }
        }),
    ),
    /** Absent: in-process adapters (a single instance only). */
    redis: presentWhenAny(
      ['url', 'clusterNodes'],
      z
        .object({
          url: env('REDIS_URL', url(REDIS).optional(), 'one Redis; absent (and no cluster): in-process, one instance'),
          clusterNodes: env(
            'REDIS_CLUSTER_NODES',
            hostPortList(),
            'Redis Cluster seed nodes host:port,host:port (instead of REDIS_URL)',
          ),
          prefix: env(
            'REDIS_PREFIX',
            z
              .string()
              .regex(/^[A-Za-z0-9:_-]{1,32}$/, 'expected 1-32 of [A-Za-z0-9:_-]')
              .default('rc:'),
            'prefix of every key and channel',
          ),
          /** The matching queue on a Redis (or cluster) of its own; absent: on the one above. */
          match: presentWhenAny(
            ['url', 'clusterNodes'],
            z.object({
              url: env('MATCH_REDIS_URL', url(REDIS).optional(), 'the matching queue on a Redis of its own'),
              clusterNodes: env(
                'MATCH_REDIS_CLUSTER_NODES',
                hostPortList(),
                'the matching queue on a Redis Cluster of its own (seed nodes)',
              ),
            }),
          ),
        })
        .superRefine((redis, ctx) => {
          const both = (a: unknown, b: unknown[]) => a !== undefined && b.length > 0;
          if (both(redis.url, redis.clusterNodes)) {
            ctx.addIssue({
              code: 'custom',
              path: ['clusterNodes'],
              message: 'set REDIS_URL or REDIS_CLUSTER_NODES, not both',
            });
          }
          if (redis.match && redis.url === undefined && redis.clusterNodes.length === 0) {
            ctx.addIssue({
              code: 'custom',
              path: ['match', redis.match.url === undefined ? 'clusterNodes' : 'url'],
              message: 'needs REDIS_URL or REDIS_CLUSTER_NODES (everything but the queue lives there)',
            });
          }
          if (redis.match && both(redis.match.url, redis.match.clusterNodes)) {
            ctx.addIssue({
              code: 'custom',
              path: ['match', 'clusterNodes'],
              message: 'set MATCH_REDIS_URL or MATCH_REDIS_CLUSTER_NODES, not both',
            });
          }
        }),
    ),
    auth: z.object({
      jwtSecret: env('JWT_SECRET', secret({ rejectKnownDefaults: true }).optional(), 'HS256 key; absent: in dataDir'),
      issuer: env('JWT_ISSUER', z.string().min(1).default('randchat'), 'JWT iss'),
      audience: env('JWT_AUDIENCE', z.string().min(1).default('randchat-api'), 'JWT aud'),
      accessTokenTtlMs: env('ACCESS_TOKEN_TTL', duration('15m'), 'access token lifetime'),
      refreshTokenTtlMs: env('REFRESH_TOKEN_TTL', duration('30d'), 'absolute session lifetime'),
      refreshReuseLeewayMs: env(
        'REFRESH_REUSE_LEEWAY',
        duration('1m'),
        'the last rotated token may be retried within (a lost answer, a parallel refresh)',
      ),
      sessionCacheTtlMs: env(
        'SESSION_CACHE_TTL',
        duration('3s', { max: '1m' }),
        'a live session is trusted this long per instance without asking the database; 0: always ask',
      ),
      scryptLogN: env('PASSWORD_SCRYPT_LOG_N', int(17, 10, 20), 'scrypt cost: N = 2^n'),
      loginMaxFailuresPerAccount: env('LOGIN_MAX_FAILURES_PER_ACCOUNT', int(5, 1, 100), 'per window'),
      loginMaxAttemptsPerIp: env('LOGIN_MAX_ATTEMPTS_PER_IP', int(30, 1, 10_000), 'per window'),
      loginWindowMs: env('LOGIN_THROTTLE_WINDOW', duration('15m'), 'login throttling window'),
      signUpMaxPerIp: env('SIGNUP_MAX_PER_IP', int(10, 1, 10_000), 'per window'),
      signUpWindowMs: env('SIGNUP_WINDOW', duration('1h'), 'sign-up throttling window'),
    }),
    matching: z.object({
      offerTtlMs: env('MATCH_OFFER_TTL_SECONDS', secondsAsMs(30, 1, 3600), 'time to accept an offer'),
      cooldownMs: env('MATCH_DECLINE_COOLDOWN_SECONDS', secondsAsMs(300, 0, 86_400 * 30), 'after a decline'),
      searchTimeoutMs: env('MATCH_SEARCH_TIMEOUT_SECONDS', secondsAsMs(300, 1, 86_400), 'a search ends after'),
      presenceGraceMs: env('MATCH_PRESENCE_GRACE_SECONDS', secondsAsMs(20, 1, 3600), 'searcher without socket'),
      pairMemoryMs: env('MATCH_PAIR_MEMORY_HOURS', hoursAsMs(24, 0, 24 * 365), 'a pair that met is not re-offered'),
      gridCellKm: env('MATCH_GRID_CELL_KM', z.coerce.number().min(0.5).max(10).default(1), 'positions snap to it'),
      cellKm: env(
        'MATCH_CELL_KM',
        z.coerce
          .number()
          .refine((km) => km === 0 || (km >= 1 && km <= 1000), 'expected 0 (one cell) or 1 to 1000 km')
          .default(0),
        'the queue sharded by area cells this wide, each its own Redis slot (0: one queue, one slot)',
      ),
      requestsPerMinute: env('MATCH_REQUESTS_PER_MINUTE', int(20, 1, 10_000), 'requestMatch per user'),
      sweepIntervalMs: env('MATCH_SWEEP_INTERVAL', duration('1s'), 'expiry sweep period'),
      nextPerHour: env('NEXT_PER_HOUR', int(30, 1, 10_000), 'nexts and declines before a user is held off'),
    }),
    chat: z.object({
      messagesPerMinute: env('CHAT_MESSAGES_PER_MINUTE', int(120, 1, 1_000_000), 'per user'),
      typingPerMinute: env('CHAT_TYPING_PER_MINUTE', int(60, 1, 1_000_000), 'per user'),
      reportsPerHour: env('REPORTS_PER_HOUR', int(10, 1, 10_000), 'per user'),
      evidenceRetentionMs: env(
        'EVIDENCE_RETENTION_DAYS',
        int(90, 1, 3650).transform((days) => days * 86_400_000),
        "days a closed room's conversation is kept, sealed, as evidence for reports; then it is purged",
      ),
      evidencePurgeIntervalMs: env(
        'EVIDENCE_PURGE_INTERVAL',
        duration('1h', { min: '100ms', max: '1d' }),
        'how often every instance purges conversations past EVIDENCE_RETENTION_DAYS',
      ),
    }),
    moderation: z.object({
      quarantineReports: env(
        'MODERATION_QUARANTINE_REPORTS',
        int(3, 1, 1000),
        'open reports from distinct users within 24 h that quarantine an account until a moderator decides',
      ),
    }),
    /** Safety and trust (issue L): the link guard, new accounts' limits, the age rule, phone verification. */
    trust: z.object({
      linkGuardMessages: env(
        'LINK_GUARD_MESSAGES',
        int(10, 0, 1000),
        "links, email addresses and phone numbers are masked in a sender's first N messages of a room; 0: off",
      ),
      requirePhoneVerification: env(
        'REQUIRE_PHONE_VERIFICATION',
        bool(false),
        'requestMatch and sendMessage need a verified phone (true: the Korean-compliant setting)',
      ),
      adultAge: env('ADULT_AGE', int(19, 14, 30), 'members are adults from January 1 of the year they turn it'),
      newAccountPeriodMs: env(
        'NEW_ACCOUNT_PERIOD',
        duration('24h', { max: '30d' }),
        'how long after sign-up an account is new (tighter limits); 0: no account is new',
      ),
      newAccountMessagesPerMinute: env(
        'NEW_ACCOUNT_MESSAGES_PER_MINUTE',
        int(30, 1, 1_000_000),
        'sendMessage per new account (on top of CHAT_MESSAGES_PER_MINUTE)',
      ),
      newAccountMatchRequestsPerMinute: env(
        'NEW_ACCOUNT_MATCH_REQUESTS_PER_MINUTE',
        int(5, 1, 10_000),
        'requestMatch per new account (on top of MATCH_REQUESTS_PER_MINUTE)',
      ),
    }),
    /** Phone verification: codes by SMS (an HTTP gateway, or the dev outbox). */
    phone: z.object({
      defaultCountry: env(
        'PHONE_DEFAULT_COUNTRY',
        z
          .string()
          .regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code such as KR')
          .default('KR'),
        'country of numbers given without +<country code>',
      ),
      codeTtlMs: env('PHONE_CODE_TTL', duration('5m', { min: '30s', max: '1h' }), 'SMS code lifetime'),
      codeMaxAttempts: env('PHONE_CODE_MAX_ATTEMPTS', int(5, 1, 20), 'guesses per code'),
      codeResendIntervalMs: env('PHONE_CODE_RESEND_INTERVAL', duration('60s'), 'between two codes to one number'),
      codesPerHour: env('PHONE_CODES_PER_HOUR', int(5, 1, 1000), 'per number and per account'),
      codeTemplate: env(
        'SMS_CODE_TEMPLATE',
        z
          .string()
          .refine((t) => t.includes('{code}'), 'expected a text with {code} (and optionally {minutes})')
          .default('[randchat] 인증번호 {code} ({minutes}분 유효) / code {code}'),
        'the SMS text: {code}, {minutes}',
      ),
      /** Absent: codes are written to the dev outbox (dataDir/outbox, GET /dev/outbox). */
      gateway: presentWhen(
        ['url'],
        z.object({
          url: env('SMS_GATEWAY_URL', url(HTTP).optional(), 'HTTP SMS gateway (POST JSON); absent: the dev outbox'),
          apiKey: env('SMS_GATEWAY_KEY', z.string().min(1).optional(), 'sent as Authorization: Bearer <key>'),
          sender: env('SMS_SENDER', z.string().min(1).optional(), "the gateway's `from`: a number or sender id"),
          timeoutMs: env('SMS_GATEWAY_TIMEOUT', duration('5s', { min: '100ms', max: '1m' }), 'gateway deadline'),
        }),
      ),
    }),
    /** Web Push (issue M): notifications to devices with no tab open. */
    push: z.object({
      /** Absent: a key pair generated once under dataDir outside production; no Web Push in production. */
      vapid: presentWhen(
        ['publicKey', 'privateKey'],
        z
          .object({
            publicKey: env(
              'VAPID_PUBLIC_KEY',
              base64urlBytes(65).optional(),
              'Web Push key pair (P-256, URL-safe base64); absent: generated in dataDir, or push off in production',
            ),
            privateKey: env('VAPID_PRIVATE_KEY', base64urlBytes(32).optional(), 'with VAPID_PUBLIC_KEY'),
          })
          .superRefine(together('publicKey', 'privateKey', 'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together')),
      ),
      subject: env(
        'VAPID_SUBJECT',
        url(['mailto:', 'https:']).optional(),
        'contact the push services see (mailto: or https:); required with the keys in production',
      ),
    }),
    mail: z.object({
      smtpUrl: env('SMTP_URL', url(['smtp:', 'smtps:']).optional(), 'absent: files in dataDir/outbox'),
      from: env('MAIL_FROM', z.string().min(3).default('randchat <no-reply@localhost>'), 'From header'),
      pollIntervalMs: env('MAIL_POLL_INTERVAL', duration('5s'), 'outbox poll period'),
      maxAttempts: env('MAIL_MAX_ATTEMPTS', int(8, 1, 100), 'sends before a mail is kept as failed'),
      retryBaseMs: env('MAIL_RETRY_BASE', duration('5s'), 'first retry delay, doubled each time (up to 1h)'),
    }),
    account: z.object({
      publicUrl: env('PUBLIC_URL', url(HTTP).transform(withoutTrailingSlash).optional(), 'base of links in mails'),
      requireEmailVerification: env('REQUIRE_EMAIL_VERIFICATION', flag().optional(), 'signUp needs an emailed code'),
      emailCodeTtlMs: env('EMAIL_CODE_TTL', duration('10m'), 'emailed code lifetime'),
      emailCodeMaxAttempts: env('EMAIL_CODE_MAX_ATTEMPTS', int(5, 1, 20), 'guesses per code'),
      emailCodeResendIntervalMs: env('EMAIL_CODE_RESEND_INTERVAL', duration('60s'), 'between two codes'),
      emailCodesPerHour: env('EMAIL_CODES_PER_HOUR', int(10, 1, 1000), 'per address'),
      passwordResetTtlMs: env('PASSWORD_RESET_TTL', duration('30m'), 'reset link lifetime'),
      /** Failed logins in a row that lock the account until unlocked by an emailed code. */
      lockThreshold: env('ACCOUNT_LOCK_THRESHOLD', int(10, 1, 1000), 'failed logins in a row that lock it'),
    }),
    media: z.object({
      /**
       * Absent: the disk adapter, files under `dir` served by the API at GET /media/... (one instance,
       * or instances sharing that directory).
       */
      s3: presentWhen(
        ['bucket'],
        z
          .object({
            endpoint: env('S3_ENDPOINT', url(HTTP).optional(), 'S3-compatible endpoint; absent: AWS'),
            bucket: env(
              'S3_BUCKET',
              z
                .string()
                .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 of a-z 0-9 . -)')
                .optional(),
              'set to keep images in S3 instead of MEDIA_DIR',
            ),
            region: env('S3_REGION', z.string().min(1).default('us-east-1'), 'S3 region'),
            /** Absent: the AWS SDK's default credential chain (AWS_* variables, instance roles). */
            credentials: presentWhen(
              ['accessKeyId', 'secretAccessKey'],
              z
                .object({
                  accessKeyId: env('S3_ACCESS_KEY_ID', z.string().optional(), 'with S3_SECRET_ACCESS_KEY'),
                  secretAccessKey: env('S3_SECRET_ACCESS_KEY', z.string().optional(), 'with S3_ACCESS_KEY_ID'),
                })
                .superRefine(
                  together('accessKeyId', 'secretAccessKey', 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together'),
                ),
            ),
            forcePathStyle: env('S3_FORCE_PATH_STYLE', bool(false), 'endpoint/bucket/key URLs (MinIO)'),
          })
          .superRefine((s3, ctx) => {
            if (s3.endpoint && !s3.bucket) {
              ctx.addIssue({ code: 'custom', path: ['bucket'], message: 'required with S3_ENDPOINT' });
            }
          }),
      ),
      dir: env('MEDIA_DIR', z.string().optional(), 'disk adapter root; default dataDir/uploads'),
      baseUrl: env(
        'MEDIA_BASE_URL',
        url(HTTP)
          .optional()
          .transform((v) => withoutTrailingSlash(v ?? '')),
        "prefix of /media URLs; '': root-relative",
      ),
      urlTtlSeconds: env(
        'MEDIA_URL_TTL',
        duration('1h', { min: '1s', max: '7d' }).transform((ms) => Math.ceil(ms / 1000)),
        'lifetime of image URLs, in seconds',
      ),
      signingSecret: env('MEDIA_SIGNING_SECRET', secret().optional(), '/media URL key; absent: HKDF of JWT_SECRET'),
      uploadMaxBytes: env('UPLOAD_MAX_BYTES', int(5_242_880, 1024, 52_428_800), 'upload size cap'),
      uploadsPerHour: env('UPLOADS_PER_HOUR', int(60, 1, 100_000), 'per user'),
      maxInputPixels: env('IMAGE_MAX_PIXELS', int(40_000_000, 1_000_000, 268_402_689), 'bigger: refused undecoded'),
    }),
    graphql: z.object({
      introspection: env('GRAPHQL_INTROSPECTION', bool(true), 'schema introspection'),
      playground: env('GRAPHQL_PLAYGROUND', bool(true), 'GraphiQL at /playground'),
      maxDepth: env('GRAPHQL_MAX_DEPTH', int(10, 2, 100), 'query limit'),
      maxAliases: env('GRAPHQL_MAX_ALIASES', int(15, 1, 1000), 'query limit'),
      maxDirectives: env('GRAPHQL_MAX_DIRECTIVES', int(20, 1, 1000), 'query limit'),
      maxTokens: env('GRAPHQL_MAX_TOKENS', int(2000, 100, 100_000), 'query limit'),
      maxCost: env('GRAPHQL_MAX_COST', int(5000, 10, 1_000_000), 'query limit'),
    }),
    ws: z.object({
      maxPayloadBytes: env('WS_MAX_PAYLOAD_BYTES', int(65_536, 1024, 10_485_760), 'frame size cap'),
      initTimeoutMs: env('WS_INIT_TIMEOUT', duration('3s'), 'connection_init deadline'),
      maxSubscriptionsPerSocket: env('WS_MAX_SUBSCRIPTIONS_PER_SOCKET', int(10, 1, 1000), 'per socket'),
      maxSocketsPerUser: env('WS_MAX_SOCKETS_PER_USER', int(10, 1, 1000), 'per user and instance'),
      keepAliveMs: env('WS_KEEPALIVE', duration('20s'), 'ping interval'),
      sessionRecheckMs: env(
        'WS_SESSION_RECHECK',
        duration('30s'),
        'open sockets re-check their login session this often (a revocation missed in a Redis outage)',
      ),
    }),
    /** How long a request may wait for a backend (issue J: fail fast and coded, never hang). */
    deadlines: z.object({
      operationMs: env(
        'OPERATION_DEADLINE',
        duration('2s', { min: '100ms', max: '1m' }),
        'a query or mutation not finished by then answers UNAVAILABLE',
      ),
      databaseMs: env(
        'DATABASE_TIMEOUT',
        duration('1500ms', { min: '100ms', max: '1m' }),
        'a database connect, pool wait or hot-path statement',
      ),
      redisMs: env(
        'REDIS_TIMEOUT',
        duration('1s', { min: '100ms', max: '1m' }),
        'a Redis command, queued ones included',
      ),
      overloadLagMs: env(
        'OVERLOAD_LAG',
        duration('150ms', { max: '1m' }),
        'while requests wait this long for the event loop, sends and typing answer UNAVAILABLE at once (0: never)',
      ),
    }),
    logLevel: env('LOG_LEVEL', z.enum(LOG_LEVELS).default('info'), 'pino level'),
    shutdownTimeoutMs: env('SHUTDOWN_TIMEOUT', duration('10s'), 'graceful shutdown deadline'),
  })
  .superRefine((c, ctx) => {
    if (c.env !== 'production') return;
    const fail = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (!c.auth.jwtSecret) fail(['auth', 'jwtSecret'], 'required when NODE_ENV=production');
    if (c.auth.scryptLogN < 17) fail(['auth', 'scryptLogN'], 'must be >= 17 (OWASP) in production');
    if (c.push.vapid && !c.push.subject) fail(['push', 'subject'], 'required with VAPID_PUBLIC_KEY in production');
    if (c.trust.requirePhoneVerification && !c.phone.gateway) {
      fail(
        ['phone', 'gateway', 'url'],
        'required with REQUIRE_PHONE_VERIFICATION=true in production (codes go by SMS)',
      );
    }
    if (!c.mail.smtpUrl) {
      fail(['mail', 'smtpUrl'], 'required when NODE_ENV=production (mail is how accounts are verified and recovered)');
    }
  })
  // Defaults that depend on another variable.
  .transform((c) => ({
    ...c,
    isProduction: c.env === 'production',
    account: {
      ...c.account,
      publicUrl: c.account.publicUrl ?? `http://localhost:${c.http.port}`,
      requireEmailVerification: c.account.requireEmailVerification ?? c.env === 'production',
    },
    media: { ...c.media, dir: c.media.dir ?? path.join(c.dataDir, 'uploads') },
    push: { ...c.push, subject: c.push.subject ?? 'mailto:no-reply@localhost' },
  }));

export type Config = z.output<typeof schema>;

/** Every declared variable with its doc and where it lands in `Config`. */
export const configVariables = envVariables(schema);

/** Parses the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(readEnv(configVariables, source));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${nameOfIssue(configVariables, issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}
