import path from 'node:path';
import { z } from 'zod';

/** Thrown for an invalid environment; its message is the one line the process prints before exiting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "900", "15m", "30d" into milliseconds (a bare number means seconds). */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 15m or 30d, got "${raw}"` });
        return z.NEVER;
      }
      return Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 's'] ?? 1000);
    });

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `expected a ${protocols.join(' or ')}// URL`,
    );

const KNOWN_WEAK_SECRETS = new Set([
  'secret',
  'changeme',
  'change-me',
  'jwt_secret',
  'your-256-bit-secret',
  'password',
]);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: int(4000, 0, 65535),
    HOST: z.string().default('0.0.0.0'),
    DATA_DIR: z.string().default('./data'),
    DATABASE_URL: url(['mysql:', 'mariadb:']).optional(),
    DATABASE_REPLICA_URLS: z
      .string()
      .optional()
      .transform((v) =>
        v
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [],
      )
      .pipe(z.array(url(['mysql:', 'mariadb:']))),
    DATABASE_POOL_MAX: int(10, 1, 200),
    DATABASE_REPLICA_CHECK_INTERVAL: duration('1s'),
    DATABASE_REPLICA_TIMEOUT: duration('2s'),
    DATABASE_REPLICA_MAX_LAG: duration('10s'),
    MIGRATE_ON_START: bool(true),
    REDIS_URL: url(['redis:', 'rediss:']).optional(),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,32}$/, 'expected 1-32 of [A-Za-z0-9:_-]')
      .default('rc:'),
    JWT_SECRET: z.string().optional(),
    JWT_ISSUER: z.string().min(1).default('randchat'),
    JWT_AUDIENCE: z.string().min(1).default('randchat-api'),
    ACCESS_TOKEN_TTL: duration('15m'),
    REFRESH_TOKEN_TTL: duration('30d'),
    REFRESH_REUSE_LEEWAY: duration('2s'),
    PASSWORD_SCRYPT_LOG_N: int(17, 10, 20),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1, 100),
    LOGIN_MAX_ATTEMPTS_PER_IP: int(30, 1, 10_000),
    LOGIN_THROTTLE_WINDOW: duration('15m'),
    SIGNUP_MAX_PER_IP: int(10, 1, 10_000),
    SIGNUP_WINDOW: duration('1h'),
    MATCH_OFFER_TTL_SECONDS: int(30, 1, 3600),
    MATCH_DECLINE_COOLDOWN_SECONDS: int(300, 0, 86_400 * 30),
    MATCH_SEARCH_TIMEOUT_SECONDS: int(300, 1, 86_400),
    MATCH_PRESENCE_GRACE_SECONDS: int(20, 1, 3600),
    MATCH_GRID_CELL_KM: z.coerce.number().min(0.5).max(10).default(1),
    MATCH_REQUESTS_PER_MINUTE: int(20, 1, 10_000),
    MATCH_SWEEP_INTERVAL: duration('1s'),
    CHAT_MESSAGES_PER_MINUTE: int(120, 1, 1_000_000),
    CHAT_TYPING_PER_MINUTE: int(60, 1, 1_000_000),
    REPORTS_PER_HOUR: int(10, 1, 10_000),
    MEDIA_DIR: z.string().optional(),
    MEDIA_BASE_URL: url(['http:', 'https:']).optional(),
    MEDIA_URL_TTL: duration('1h'),
    MEDIA_SIGNING_SECRET: z.string().optional(),
    UPLOAD_MAX_BYTES: int(5_242_880, 1024, 52_428_800),
    UPLOADS_PER_HOUR: int(60, 1, 100_000),
    IMAGE_MAX_PIXELS: int(40_000_000, 1_000_000, 268_402_689),
    S3_ENDPOINT: url(['http:', 'https:']).optional(),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 of a-z 0-9 . -)')
      .optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: bool(false),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    MAIL_FROM: z.string().min(3).default('randchat <no-reply@localhost>'),
    MAIL_POLL_INTERVAL: duration('5s'),
    MAIL_MAX_ATTEMPTS: int(8, 1, 100),
    MAIL_RETRY_BASE: duration('5s'),
    PUBLIC_URL: url(['http:', 'https:']).optional(),
    REQUIRE_EMAIL_VERIFICATION: z.enum(['true', 'false', '1', '0']).optional(),
    EMAIL_CODE_TTL: duration('10m'),
    EMAIL_CODE_MAX_ATTEMPTS: int(5, 1, 20),
    EMAIL_CODE_RESEND_INTERVAL: duration('60s'),
    EMAIL_CODES_PER_HOUR: int(10, 1, 1000),
    PASSWORD_RESET_TTL: duration('30m'),
    ACCOUNT_LOCK_THRESHOLD: int(10, 1, 1000),
    GRAPHQL_INTROSPECTION: bool(true),
    GRAPHQL_PLAYGROUND: bool(true),
    GRAPHQL_MAX_DEPTH: int(10, 2, 100),
    GRAPHQL_MAX_ALIASES: int(15, 1, 1000),
    GRAPHQL_MAX_DIRECTIVES: int(20, 1, 1000),
    GRAPHQL_MAX_TOKENS: int(2000, 100, 100_000),
    GRAPHQL_MAX_COST: int(5000, 10, 1_000_000),
    HTTP_BODY_LIMIT_BYTES: int(65_536, 1024, 10_485_760),
    WS_MAX_PAYLOAD_BYTES: int(65_536, 1024, 10_485_760),
    WS_INIT_TIMEOUT: duration('3s'),
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: int(10, 1, 1000),
    WS_MAX_SOCKETS_PER_USER: int(10, 1, 1000),
    WS_KEEPALIVE: duration('20s'),
    TRUST_PROXY: z.string().default('loopback'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SHUTDOWN_TIMEOUT: duration('10s'),
    WEB_DIST_DIR: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    const secret = env.JWT_SECRET;
    if (env.NODE_ENV === 'production' && !secret) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required when NODE_ENV=production' });
    }
    if (secret !== undefined && (Buffer.byteLength(secret) < 32 || KNOWN_WEAK_SECRETS.has(secret.toLowerCase()))) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'must be at least 32 random bytes, not a known default',
      });
    }
    if (env.NODE_ENV === 'production' && env.PASSWORD_SCRYPT_LOG_N < 17) {
      ctx.addIssue({ code: 'custom', path: ['PASSWORD_SCRYPT_LOG_N'], message: 'must be >= 17 (OWASP) in production' });
    }
    if (env.NODE_ENV === 'production' && !env.SMTP_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message: 'required when NODE_ENV=production (mail is how accounts are verified and recovered)',
      });
    }
    if (env.MEDIA_URL_TTL < 1000 || env.MEDIA_URL_TTL > 604_800_000) {
      ctx.addIssue({ code: 'custom', path: ['MEDIA_URL_TTL'], message: 'must be between 1s and 7d' });
    }
    if (env.MEDIA_SIGNING_SECRET !== undefined && Buffer.byteLength(env.MEDIA_SIGNING_SECRET) < 32) {
      ctx.addIssue({ code: 'custom', path: ['MEDIA_SIGNING_SECRET'], message: 'must be at least 32 random bytes' });
    }
    if (env.S3_ENDPOINT && !env.S3_BUCKET) {
      ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'required with S3_ENDPOINT' });
    }
    if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'],
        message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together',
      });
    }
    if (env.DATABASE_REPLICA_CHECK_INTERVAL < 100 || env.DATABASE_REPLICA_TIMEOUT < 100) {
      ctx.addIssue({
        code: 'custom',
        path: [
          env.DATABASE_REPLICA_CHECK_INTERVAL < 100 ? 'DATABASE_REPLICA_CHECK_INTERVAL' : 'DATABASE_REPLICA_TIMEOUT',
        ],
        message: 'must be at least 100ms',
      });
    }
    if (env.DATABASE_REPLICA_URLS.length > 0 && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_REPLICA_URLS'], message: 'needs DATABASE_URL (the primary)' });
    }
  });

type Env = z.infer<typeof schema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  http: { host: string; port: number; bodyLimitBytes: number; trustProxy: string; webDistDir?: string };
  dataDir: string;
  /** Absent: embedded SQLite file under dataDir. */
  database?: {
    url: string;
    replicaUrls: string[];
    poolMax: number;
    migrateOnStart: boolean;
    /** How reads are kept off replicas that are down or behind (see infra/db/replica-router.ts). */
    replicaCheck: { intervalMs: number; timeoutMs: number; maxLagMs: number };
  };
  /** Absent: in-process adapters (a single instance only). */
  redis?: { url: string; prefix: string };
  auth: {
    /** Absent outside production: generated once and kept under dataDir. */
    jwtSecret?: string;
    issuer: string;
    audience: string;
    accessTokenTtlMs: number;
    refreshTokenTtlMs: number;
    refreshReuseLeewayMs: number;
    scryptLogN: number;
    loginMaxFailuresPerAccount: number;
    loginMaxAttemptsPerIp: number;
    loginWindowMs: number;
    signUpMaxPerIp: number;
    signUpWindowMs: number;
  };
  matching: {
    offerTtlMs: number;
    cooldownMs: number;
    searchTimeoutMs: number;
    presenceGraceMs: number;
    /** Side of the grid cells positions are snapped to. */
    gridCellKm: number;
    requestsPerMinute: number;
    sweepIntervalMs: number;
  };
  chat: { messagesPerMinute: number; typingPerMinute: number; reportsPerHour: number };
  mail: {
    /** Absent: the dev outbox under dataDir/outbox (listed at GET /dev/outbox outside production). */
    smtpUrl?: string;
    from: string;
    pollIntervalMs: number;
    maxAttempts: number;
    /** Delay before the first retry of a failed mail, doubled each time (capped at 1 h). */
    retryBaseMs: number;
  };
  account: {
    /** Base of links in mails (password reset), e.g. https://randchat.example. */
    publicUrl: string;
    /** signUp needs a code from requestEmailCode. @default on in production, off otherwise */
    requireEmailVerification: boolean;
    emailCodeTtlMs: number;
    emailCodeMaxAttempts: number;
    emailCodeResendIntervalMs: number;
    emailCodesPerHour: number;
    passwordResetTtlMs: number;
    /** Failed logins in a row that lock the account until unlocked by an emailed code. */
    lockThreshold: number;
  };
  media: {
    /**
     * Absent: the disk adapter, files under `dir` served by the API at GET /media/... (one instance,
     * or instances sharing that directory).
     */
    s3?: {
      /** Absent: AWS S3 for `region`. */
      endpoint?: string;
      bucket: string;
      region: string;
      /** Absent: the AWS SDK's default credential chain (AWS_* variables, instance roles). */
      credentials?: { accessKeyId: string; secretAccessKey: string };
      /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO and most S3-compatibles). */
      forcePathStyle: boolean;
    };
    /** Disk adapter root. @default `<DATA_DIR>/uploads` */
    dir: string;
    /** Prefix of the disk adapter's URLs. @default '' (root-relative: `/media/...` on the API's origin) */
    baseUrl: string;
    /** Lifetime of the image URLs handed to clients, in seconds. @default 3600 */
    urlTtlSeconds: number;
    /** Key of the disk adapter's URL signatures. Absent: derived from the JWT secret with HKDF-SHA256. */
    signingSecret?: string;
    /** Largest accepted upload, in bytes. @default 5242880 (5 MiB) */
    uploadMaxBytes: number;
    /** Uploads per user per hour. @default 60 */
    uploadsPerHour: number;
    /** Larger images (width x height) are refused before decoding. @default 40000000 */
    maxInputPixels: number;
  };
  graphql: {
    introspection: boolean;
    playground: boolean;
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    maxCost: number;
  };
  ws: {
    maxPayloadBytes: number;
    initTimeoutMs: number;
    maxSubscriptionsPerSocket: number;
    maxSocketsPerUser: number;
    keepAliveMs: number;
  };
  logLevel: Env['LOG_LEVEL'];
  shutdownTimeoutMs: number;
}

/** Parses the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.') || 'environment';
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    http: {
      host: e.HOST,
      port: e.PORT,
      bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES,
      trustProxy: e.TRUST_PROXY,
      webDistDir: e.WEB_DIST_DIR,
    },
    dataDir: e.DATA_DIR,
    database: e.DATABASE_URL
      ? {
          url: e.DATABASE_URL,
          replicaUrls: e.DATABASE_REPLICA_URLS,
          poolMax: e.DATABASE_POOL_MAX,
          migrateOnStart: e.MIGRATE_ON_START,
          replicaCheck: {
            intervalMs: e.DATABASE_REPLICA_CHECK_INTERVAL,
            timeoutMs: e.DATABASE_REPLICA_TIMEOUT,
            maxLagMs: e.DATABASE_REPLICA_MAX_LAG,
          },
        }
      : undefined,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : undefined,
    auth: {
      jwtSecret: e.JWT_SECRET,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTokenTtlMs: e.ACCESS_TOKEN_TTL,
      refreshTokenTtlMs: e.REFRESH_TOKEN_TTL,
      refreshReuseLeewayMs: e.REFRESH_REUSE_LEEWAY,
      scryptLogN: e.PASSWORD_SCRYPT_LOG_N,
      loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginMaxAttemptsPerIp: e.LOGIN_MAX_ATTEMPTS_PER_IP,
      loginWindowMs: e.LOGIN_THROTTLE_WINDOW,
      signUpMaxPerIp: e.SIGNUP_MAX_PER_IP,
      signUpWindowMs: e.SIGNUP_WINDOW,
    },
    matching: {
      offerTtlMs: e.MATCH_OFFER_TTL_SECONDS * 1000,
      cooldownMs: e.MATCH_DECLINE_COOLDOWN_SECONDS * 1000,
      searchTimeoutMs: e.MATCH_SEARCH_TIMEOUT_SECONDS * 1000,
      presenceGraceMs: e.MATCH_PRESENCE_GRACE_SECONDS * 1000,
      gridCellKm: e.MATCH_GRID_CELL_KM,
      requestsPerMinute: e.MATCH_REQUESTS_PER_MINUTE,
      sweepIntervalMs: e.MATCH_SWEEP_INTERVAL,
    },
    chat: {
      messagesPerMinute: e.CHAT_MESSAGES_PER_MINUTE,
      typingPerMinute: e.CHAT_TYPING_PER_MINUTE,
      reportsPerHour: e.REPORTS_PER_HOUR,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      pollIntervalMs: e.MAIL_POLL_INTERVAL,
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
      retryBaseMs: e.MAIL_RETRY_BASE,
    },
    account: {
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION
        ? ['true', '1'].includes(e.REQUIRE_EMAIL_VERIFICATION)
        : e.NODE_ENV === 'production',
      emailCodeTtlMs: e.EMAIL_CODE_TTL,
      emailCodeMaxAttempts: e.EMAIL_CODE_MAX_ATTEMPTS,
      emailCodeResendIntervalMs: e.EMAIL_CODE_RESEND_INTERVAL,
      emailCodesPerHour: e.EMAIL_CODES_PER_HOUR,
      passwordResetTtlMs: e.PASSWORD_RESET_TTL,
      lockThreshold: e.ACCOUNT_LOCK_THRESHOLD,
    },
    media: {
      s3: e.S3_BUCKET
        ? {
            endpoint: e.S3_ENDPOINT,
            bucket: e.S3_BUCKET,
            region: e.S3_REGION,
            credentials:
              e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
                : undefined,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          }
        : undefined,
      dir: e.MEDIA_DIR ?? path.join(e.DATA_DIR, 'uploads'),
      baseUrl: (e.MEDIA_BASE_URL ?? '').replace(/\/+$/, ''),
      urlTtlSeconds: Math.ceil(e.MEDIA_URL_TTL / 1000),
      signingSecret: e.MEDIA_SIGNING_SECRET,
      uploadMaxBytes: e.UPLOAD_MAX_BYTES,
      uploadsPerHour: e.UPLOADS_PER_HOUR,
      maxInputPixels: e.IMAGE_MAX_PIXELS,
    },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION,
      playground: e.GRAPHQL_PLAYGROUND,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: e.GRAPHQL_MAX_COST,
    },
    ws: {
      maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      initTimeoutMs: e.WS_INIT_TIMEOUT,
      maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSocketsPerUser: e.WS_MAX_SOCKETS_PER_USER,
      keepAliveMs: e.WS_KEEPALIVE,
    },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
  };
}
