import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, configVariables, loadConfig } from './config';

const SECRET = 'k'.repeat(48);
/** A VAPID key pair (web-push's generateVAPIDKeys), for parsing only. */
const VAPID = {
  publicKey: 'BK5wnj19125KDG0D9mGkJOXMiu_NkQ1lffMkKdQj-J7egBusfPKz2mKsQr481Yy8QeWIVdcR0NzJfsPVUmB2N64',
  privateKey: 'UbN22LbRiwu20qKhFK77QMU3e9jhZF5HTw_jX8avVw0',
};
const NAMES = configVariables.map((v) => v.name);

/** Every variable set, none to its default: a production deployment with every option (`NAME=value`, by section). */
const PRODUCTION = Object.fromEntries(
  `
  NODE_ENV=production PORT=8080 HOST=127.0.0.1 HTTP_BODY_LIMIT_BYTES=2048 TRUST_PROXY=10.0.0.0/8
  WEB_DIST_DIR=/srv/web DATA_DIR=/var/lib/randchat LOG_LEVEL=warn SHUTDOWN_TIMEOUT=5s
  DATABASE_URL=mariadb://rc:pw@db:3306/randchat DATABASE_POOL_MAX=20 MIGRATE_ON_START=false
  DATABASE_REPLICA_URLS=mariadb://ro@r1:3306/randchat,mariadb://ro@r2:3306/randchat DATABASE_REPLICA_MAX_LAG=0
  DATABASE_REPLICA_CHECK_INTERVAL=500ms DATABASE_REPLICA_TIMEOUT=3s REDIS_URL=rediss://cache:6380 REDIS_PREFIX=rc-prod:
  MATCH_REDIS_CLUSTER_NODES=10.0.1.1:7000,[fd00::2]:7001
  JWT_SECRET=${'j'.repeat(48)} JWT_ISSUER=randchat-prod JWT_AUDIENCE=randchat-web PASSWORD_SCRYPT_LOG_N=18
  ACCESS_TOKEN_TTL=5m REFRESH_TOKEN_TTL=7d REFRESH_REUSE_LEEWAY=1s LOGIN_THROTTLE_WINDOW=10m SIGNUP_WINDOW=2h
  LOGIN_MAX_FAILURES_PER_ACCOUNT=3 LOGIN_MAX_ATTEMPTS_PER_IP=40 SIGNUP_MAX_PER_IP=4 SESSION_CACHE_TTL=1500ms
  MATCH_OFFER_TTL_SECONDS=45 MATCH_DECLINE_COOLDOWN_SECONDS=0 MATCH_SEARCH_TIMEOUT_SECONDS=600
  MATCH_PRESENCE_GRACE_SECONDS=30 MATCH_PAIR_MEMORY_HOURS=12 NEXT_PER_HOUR=12 MATCH_GRID_CELL_KM=2.5 MATCH_CELL_KM=20 MATCH_REQUESTS_PER_MINUTE=5 MATCH_SWEEP_INTERVAL=2s
  CHAT_MESSAGES_PER_MINUTE=100 CHAT_TYPING_PER_MINUTE=50 REPORTS_PER_HOUR=3
  LINK_GUARD_MESSAGES=5 REQUIRE_PHONE_VERIFICATION=true ADULT_AGE=20 NEW_ACCOUNT_PERIOD=12h
  NEW_ACCOUNT_MESSAGES_PER_MINUTE=10 NEW_ACCOUNT_MATCH_REQUESTS_PER_MINUTE=3 PHONE_DEFAULT_COUNTRY=JP
  PHONE_CODE_TTL=3m PHONE_CODE_MAX_ATTEMPTS=4 PHONE_CODE_RESEND_INTERVAL=30s PHONE_CODES_PER_HOUR=3
  SMS_CODE_TEMPLATE=code:{code} SMS_GATEWAY_URL=https://sms.randchat.example/send SMS_GATEWAY_KEY=sms-key
  SMS_SENDER=randchat SMS_GATEWAY_TIMEOUT=3s
  EVIDENCE_RETENTION_DAYS=30 EVIDENCE_PURGE_INTERVAL=10m MODERATION_QUARANTINE_REPORTS=5
  VAPID_PUBLIC_KEY=${VAPID.publicKey} VAPID_PRIVATE_KEY=${VAPID.privateKey} VAPID_SUBJECT=mailto:ops@randchat.example
  SMTP_URL=smtps://mailer:pw@mail:465 MAIL_FROM=hello@randchat.example MAIL_POLL_INTERVAL=3s MAIL_MAX_ATTEMPTS=2
  MAIL_RETRY_BASE=1m PUBLIC_URL=https://randchat.example/ REQUIRE_EMAIL_VERIFICATION=0 PASSWORD_RESET_TTL=1h
  EMAIL_CODE_TTL=5m EMAIL_CODE_MAX_ATTEMPTS=3 EMAIL_CODE_RESEND_INTERVAL=30s EMAIL_CODES_PER_HOUR=4
  ACCOUNT_LOCK_THRESHOLD=7
  S3_ENDPOINT=http://minio:9000 S3_BUCKET=randchat-media S3_REGION=eu-central-1 S3_FORCE_PATH_STYLE=1
  S3_ACCESS_KEY_ID=AKIA S3_SECRET_ACCESS_KEY=s3-secret MEDIA_DIR=/srv/media MEDIA_URL_TTL=1500ms
  MEDIA_BASE_URL=https://cdn.randchat.example/ MEDIA_SIGNING_SECRET=${'m'.repeat(40)}
  UPLOAD_MAX_BYTES=2048 UPLOADS_PER_HOUR=7 IMAGE_MAX_PIXELS=2000000 GRAPHQL_INTROSPECTION=false GRAPHQL_PLAYGROUND=0
  GRAPHQL_MAX_DEPTH=5 GRAPHQL_MAX_ALIASES=3 GRAPHQL_MAX_DIRECTIVES=4 GRAPHQL_MAX_TOKENS=500 GRAPHQL_MAX_COST=100
  WS_MAX_PAYLOAD_BYTES=4096 WS_INIT_TIMEOUT=1s WS_MAX_SUBSCRIPTIONS_PER_SOCKET=2 WS_MAX_SOCKETS_PER_USER=3
  WS_KEEPALIVE=10s WS_SESSION_RECHECK=45s OPERATION_DEADLINE=2500ms DATABASE_TIMEOUT=1200ms REDIS_TIMEOUT=800ms
  OVERLOAD_LAG=300ms HTTP_KEEPALIVE_TIMEOUT=30s
  `
    .trim()
    .split(/\s+/)
    .map((pair): [string, string] => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

/**
 * The same with the alternatives of PRODUCTION's choices (a Redis Cluster for everything, the queue
 * on a Redis of its own): the two together set every variable.
 */
const { REDIS_URL: _single, MATCH_REDIS_CLUSTER_NODES: _queueCluster, ...common } = PRODUCTION;
const PRODUCTION_ON_A_CLUSTER = {
  ...common,
  REDIS_CLUSTER_NODES: 'redis-1:6379,redis-2:6379',
  MATCH_REDIS_URL: 'redis://queue:6379',
};

/** The names in the first column of the operators' Configuration table, `GRAPHQL_MAX_DEPTH` / `_ALIASES` expanded. */
function documentedNames(): string[] {
  const guide = readFileSync(path.join(__dirname, '../../docs/operations.md'), 'utf8');
  const section = guide.split('\n## Configuration\n')[1]!.split('\n#')[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((row) => {
      let previous = '';
      return [...row.split('|')[1]!.matchAll(/`(_?[A-Z][A-Z0-9_]*)`/g)].map(([, token]) => {
        previous = token!.startsWith('_') ? previous.replace(/_[A-Z0-9]+$/, token!) : token!;
        return previous;
      });
    });
}

describe('the declaration', () => {
  it('names each variable once, with a doc', () => {
    expect(new Set(NAMES).size).toBe(NAMES.length);
    for (const { name, doc } of configVariables) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(doc.length).toBeGreaterThan(3);
    }
  });

  it('matches the Configuration table of docs/operations.md both ways', () => {
    const table = documentedNames();
    expect(table.filter((name) => !NAMES.includes(name))).toEqual([]);
    expect(NAMES.filter((name) => !table.includes(name))).toEqual([]);
  });

  it('reads every variable: dropping any one from a full environment changes the outcome', () => {
    const environments: Record<string, string>[] = [PRODUCTION, PRODUCTION_ON_A_CLUSTER];
    expect([...new Set(environments.flatMap((e) => Object.keys(e)))].sort()).toEqual([...NAMES].sort());
    const outcome = (source: Record<string, string>) => {
      try {
        return JSON.stringify(loadConfig(source));
      } catch (err) {
        return String(err);
      }
    };
    for (const environment of environments) {
      const full = outcome(environment);
      expect(full).not.toMatch(/Invalid configuration/);
      for (const name of Object.keys(environment)) {
        const { [name]: _dropped, ...rest } = environment;
        expect({ name, changed: outcome(rest) !== full }).toEqual({ name, changed: true });
      }
    }
  });

  it('treats a blank variable as unset', () => {
    expect(loadConfig(Object.fromEntries(NAMES.map((name) => [name, ''])))).toEqual(loadConfig({}));
  });
});

describe('loadConfig', () => {
  it('gives the whole nested shape for a full production environment', () => {
    expect(loadConfig(PRODUCTION)).toStrictEqual({
      env: 'production',
      isProduction: true,
      http: {
        host: '127.0.0.1',
        port: 8080,
        bodyLimitBytes: 2048,
        trustProxy: '10.0.0.0/8',
        keepAliveTimeoutMs: 30_000,
        webDistDir: '/srv/web',
      },
      dataDir: '/var/lib/randchat',
      database: {
        url: 'mariadb://rc:pw@db:3306/randchat',
        replicaUrls: ['mariadb://ro@r1:3306/randchat', 'mariadb://ro@r2:3306/randchat'],
        poolMax: 20,
        migrateOnStart: false,
        replicaCheck: { intervalMs: 500, timeoutMs: 3000, maxLagMs: 0 },
      },
      redis: {
        url: 'rediss://cache:6380',
        clusterNodes: [],
        prefix: 'rc-prod:',
        match: {
          url: undefined,
          clusterNodes: [
            { host: '10.0.1.1', port: 7000 },
            { host: 'fd00::2', port: 7001 },
          ],
        },
      },
      deadlines: { operationMs: 2500, databaseMs: 1200, redisMs: 800, overloadLagMs: 300 },
      auth: {
        jwtSecret: 'j'.repeat(48),
        issuer: 'randchat-prod',
        audience: 'randchat-web',
        accessTokenTtlMs: 5 * 60_000,
        refreshTokenTtlMs: 7 * 86_400_000,
        refreshReuseLeewayMs: 1000,
        sessionCacheTtlMs: 1500,
        scryptLogN: 18,
        loginMaxFailuresPerAccount: 3,
        loginMaxAttemptsPerIp: 40,
        loginWindowMs: 10 * 60_000,
        signUpMaxPerIp: 4,
        signUpWindowMs: 2 * 3_600_000,
      },
      matching: {
        offerTtlMs: 45_000,
        cooldownMs: 0,
        searchTimeoutMs: 600_000,
        presenceGraceMs: 30_000,
        pairMemoryMs: 12 * 3_600_000,
        nextPerHour: 12,
        gridCellKm: 2.5,
        cellKm: 20,
        requestsPerMinute: 5,
        sweepIntervalMs: 2000,
      },
      chat: {
        messagesPerMinute: 100,
        typingPerMinute: 50,
        reportsPerHour: 3,
        evidenceRetentionMs: 30 * 86_400_000,
        evidencePurgeIntervalMs: 600_000,
      },
      moderation: { quarantineReports: 5 },
      trust: {
        linkGuardMessages: 5,
        requirePhoneVerification: true,
        adultAge: 20,
        newAccountPeriodMs: 12 * 3_600_000,
        newAccountMessagesPerMinute: 10,
        newAccountMatchRequestsPerMinute: 3,
      },
      phone: {
        defaultCountry: 'JP',
        codeTtlMs: 3 * 60_000,
        codeMaxAttempts: 4,
        codeResendIntervalMs: 30_000,
        codesPerHour: 3,
        codeTemplate: 'code:{code}',
        gateway: { url: 'https://sms.randchat.example/send', apiKey: 'sms-key', sender: 'randchat', timeoutMs: 3000 },
      },
      push: { vapid: VAPID, subject: 'mailto:ops@randchat.example' },
      mail: {
        smtpUrl: 'smtps://mailer:pw@mail:465',
        from: 'hello@randchat.example',
        pollIntervalMs: 3000,
        maxAttempts: 2,
        retryBaseMs: 60_000,
      },
      account: {
        publicUrl: 'https://randchat.example',
        requireEmailVerification: false,
        emailCodeTtlMs: 5 * 60_000,
        emailCodeMaxAttempts: 3,
        emailCodeResendIntervalMs: 30_000,
        emailCodesPerHour: 4,
        passwordResetTtlMs: 3_600_000,
        lockThreshold: 7,
      },
      media: {
        s3: {
          endpoint: 'http://minio:9000',
          bucket: 'randchat-media',
          region: 'eu-central-1',
          credentials: { accessKeyId: 'AKIA', secretAccessKey: 's3-secret' },
          forcePathStyle: true,
        },
        dir: '/srv/media',
        baseUrl: 'https://cdn.randchat.example',
        urlTtlSeconds: 2,
        signingSecret: 'm'.repeat(40),
        uploadMaxBytes: 2048,
        uploadsPerHour: 7,
        maxInputPixels: 2_000_000,
      },
      graphql: {
        introspection: false,
        playground: false,
        maxDepth: 5,
        maxAliases: 3,
        maxDirectives: 4,
        maxTokens: 500,
        maxCost: 100,
      },
      ws: {
        maxPayloadBytes: 4096,
        initTimeoutMs: 1000,
        maxSubscriptionsPerSocket: 2,
        maxSocketsPerUser: 3,
        keepAliveMs: 10_000,
        sessionRecheckMs: 45_000,
      },
      logLevel: 'warn',
      shutdownTimeoutMs: 5000,
    });
  });

  it('uses the documented defaults for an empty environment (embedded mode)', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(4000);
    expect(config.database).toBeUndefined();
    expect(config.redis).toBeUndefined();
    expect(config.auth.accessTokenTtlMs).toBe(15 * 60_000);
    expect(config.auth.refreshTokenTtlMs).toBe(30 * 86_400_000);
    expect(config.auth.scryptLogN).toBe(17);
    expect(config.auth.sessionCacheTtlMs).toBe(3000);
    expect(config.graphql.introspection).toBe(true);
    expect(config.mail.smtpUrl).toBeUndefined();
    // No VAPID keys: generated under DATA_DIR at start (or no Web Push in production).
    expect(config.push).toEqual({ vapid: undefined, subject: 'mailto:no-reply@localhost' });
    expect(config.account).toMatchObject({
      requireEmailVerification: false,
      emailCodeMaxAttempts: 5,
      lockThreshold: 10,
      publicUrl: 'http://localhost:4000',
    });
  });

  it('has the safety defaults: link guard 10, no phone required, adults from 19, new for a day, SMS to the outbox', () => {
    const config = loadConfig({});
    expect(config.trust).toEqual({
      linkGuardMessages: 10,
      requirePhoneVerification: false,
      adultAge: 19,
      newAccountPeriodMs: 86_400_000,
      newAccountMessagesPerMinute: 30,
      newAccountMatchRequestsPerMinute: 5,
    });
    expect(config.phone).toMatchObject({
      defaultCountry: 'KR',
      codeTtlMs: 300_000,
      codeMaxAttempts: 5,
      gateway: undefined,
    });
  });

  it('verifies emails by default in production, and lets the switch override it', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: SECRET, SMTP_URL: 'smtp://mail:587' };
    expect(loadConfig(production).account.requireEmailVerification).toBe(true);
    expect(loadConfig({ ...production, REQUIRE_EMAIL_VERIFICATION: 'false' }).account.requireEmailVerification).toBe(
      false,
    );
    expect(loadConfig({ REQUIRE_EMAIL_VERIFICATION: 'true' }).account.requireEmailVerification).toBe(true);
  });

  it('reads MySQL, replicas and Redis from URLs', () => {
    const config = loadConfig({
      DATABASE_URL: 'mysql://root@db:3306/randchat',
      DATABASE_REPLICA_URLS: 'mysql://ro@r1:3306/randchat, mysql://ro@r2:3306/randchat',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(config.database?.replicaUrls).toEqual(['mysql://ro@r1:3306/randchat', 'mysql://ro@r2:3306/randchat']);
    expect(config.database?.replicaCheck).toEqual({ intervalMs: 1000, timeoutMs: 2000, maxLagMs: 10_000 });
    expect(config.redis).toEqual({ url: 'redis://cache:6379', clusterNodes: [], prefix: 'rc:' });
  });

  it('reads a Redis Cluster from its seed nodes, and the queue on a Redis of its own', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b:7001 ,[::1]:7002' }).redis).toEqual({
      clusterNodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      prefix: 'rc:',
    });
    expect(loadConfig(PRODUCTION_ON_A_CLUSTER).redis).toEqual({
      clusterNodes: [
        { host: 'redis-1', port: 6379 },
        { host: 'redis-2', port: 6379 },
      ],
      prefix: 'rc-prod:',
      match: { url: 'redis://queue:6379', clusterNodes: [] },
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT: /],
    [
      { DATABASE_URL: 'postgres://x/y' },
      /^Invalid configuration: DATABASE_URL: expected a mysql: or mariadb:\/\/ URL$/,
    ],
    [{ ACCESS_TOKEN_TTL: 'soon' }, /^Invalid configuration: ACCESS_TOKEN_TTL: expected a duration/],
    [{ NODE_ENV: 'production' }, /^Invalid configuration: JWT_SECRET: required when NODE_ENV=production$/],
    [{ JWT_SECRET: 'secret' }, /^Invalid configuration: JWT_SECRET: must be at least 32 random bytes/],
    [{ JWT_SECRET: 'x'.repeat(31) }, /^Invalid configuration: JWT_SECRET: /],
    [
      { NODE_ENV: 'production', JWT_SECRET: SECRET, PASSWORD_SCRYPT_LOG_N: '14' },
      /PASSWORD_SCRYPT_LOG_N: must be >= 17/,
    ],
    [{ DATABASE_REPLICA_URLS: 'mysql://r/x' }, /DATABASE_REPLICA_URLS: needs DATABASE_URL/],
    [
      { REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' },
      /^Invalid configuration: REDIS_CLUSTER_NODES: set REDIS_URL or REDIS_CLUSTER_NODES, not both$/,
    ],
    [{ REDIS_CLUSTER_NODES: 'b:7000,c' }, /^Invalid configuration: REDIS_CLUSTER_NODES\.1: expected host:port items/],
    [{ REDIS_CLUSTER_NODES: 'b:70000' }, /^Invalid configuration: REDIS_CLUSTER_NODES\.0: expected ports 1-65535$/],
    [{ MATCH_CELL_KM: '0.5' }, /^Invalid configuration: MATCH_CELL_KM: expected 0 \(one cell\) or 1 to 1000 km/],
    [
      { MATCH_REDIS_URL: 'redis://q:6379' },
      /^Invalid configuration: MATCH_REDIS_URL: needs REDIS_URL or REDIS_CLUSTER_NODES/,
    ],
    [
      { REDIS_URL: 'redis://a:6379', MATCH_REDIS_URL: 'redis://q:6379', MATCH_REDIS_CLUSTER_NODES: 'q:7000' },
      /^Invalid configuration: MATCH_REDIS_CLUSTER_NODES: set MATCH_REDIS_URL or MATCH_REDIS_CLUSTER_NODES, not both$/,
    ],
    [
      { DATABASE_URL: 'mysql://p/x', DATABASE_REPLICA_URLS: 'mysql://r/x,http://r' },
      /^Invalid configuration: DATABASE_REPLICA_URLS\.1: expected a mysql: or mariadb:\/\/ URL$/,
    ],
    [
      { DATABASE_REPLICA_CHECK_INTERVAL: '10ms' },
      /^Invalid configuration: DATABASE_REPLICA_CHECK_INTERVAL: must be at least 100ms$/,
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: SECRET },
      /^Invalid configuration: SMTP_URL: required when NODE_ENV=production/,
    ],
    [{ SMTP_URL: 'http://mail' }, /^Invalid configuration: SMTP_URL: expected a smtp: or smtps:\/\/ URL$/],
    [
      { VAPID_PUBLIC_KEY: VAPID.publicKey },
      /^Invalid configuration: VAPID_PRIVATE_KEY: VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together$/,
    ],
    [
      { VAPID_PUBLIC_KEY: VAPID.privateKey, VAPID_PRIVATE_KEY: VAPID.privateKey },
      /^Invalid configuration: VAPID_PUBLIC_KEY: expected 65 bytes in URL-safe base64$/,
    ],
    [
      { VAPID_PUBLIC_KEY: VAPID.publicKey, VAPID_PRIVATE_KEY: `${VAPID.privateKey}=` },
      /^Invalid configuration: VAPID_PRIVATE_KEY: expected URL-safe base64 without padding$/,
    ],
    [
      { VAPID_SUBJECT: 'ops@randchat.example' },
      /^Invalid configuration: VAPID_SUBJECT: expected a mailto: or https:\/\/ URL$/,
    ],
    [
      {
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        SMTP_URL: 'smtp://mail:587',
        VAPID_PUBLIC_KEY: VAPID.publicKey,
        VAPID_PRIVATE_KEY: VAPID.privateKey,
      },
      /^Invalid configuration: VAPID_SUBJECT: required with VAPID_PUBLIC_KEY in production$/,
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: SECRET, SMTP_URL: 'smtp://mail:587', REQUIRE_PHONE_VERIFICATION: 'true' },
      /^Invalid configuration: SMS_GATEWAY_URL: required with REQUIRE_PHONE_VERIFICATION=true in production/,
    ],
    [{ SMS_CODE_TEMPLATE: 'your code' }, /^Invalid configuration: SMS_CODE_TEMPLATE: expected a text with \{code\}/],
    [{ PHONE_DEFAULT_COUNTRY: 'korea' }, /^Invalid configuration: PHONE_DEFAULT_COUNTRY: expected an ISO 3166/],
    [{ ADULT_AGE: '12' }, /^Invalid configuration: ADULT_AGE: /],
    [{ SMS_GATEWAY_URL: 'ftp://sms.example' }, /^Invalid configuration: SMS_GATEWAY_URL: /],
  ])('rejects %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
