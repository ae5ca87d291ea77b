import { ConfigError, loadConfig } from './config';

const SECRET = 'k'.repeat(48);

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment (embedded mode)', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(4000);
    expect(config.database).toBeUndefined();
    expect(config.redis).toBeUndefined();
    expect(config.auth.accessTokenTtlMs).toBe(15 * 60_000);
    expect(config.auth.refreshTokenTtlMs).toBe(30 * 86_400_000);
    expect(config.auth.scryptLogN).toBe(17);
    expect(config.graphql.introspection).toBe(true);
    expect(config.mail.smtpUrl).toBeUndefined();
    expect(config.account).toMatchObject({
      requireEmailVerification: false,
      emailCodeMaxAttempts: 5,
      lockThreshold: 10,
      publicUrl: 'http://localhost:4000',
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
    expect(config.redis).toEqual({ url: 'redis://cache:6379', prefix: 'rc:' });
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
      { DATABASE_REPLICA_CHECK_INTERVAL: '10ms' },
      /^Invalid configuration: DATABASE_REPLICA_CHECK_INTERVAL: must be at least 100ms$/,
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: SECRET },
      /^Invalid configuration: SMTP_URL: required when NODE_ENV=production/,
    ],
    [{ SMTP_URL: 'http://mail' }, /^Invalid configuration: SMTP_URL: expected a smtp: or smtps:\/\/ URL$/],
  ])('rejects %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
