import { createHmac } from 'node:crypto';
import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import type { DomainEvents } from '../../infra/events/domain-events';
import type { Logger } from '../../infra/logger';
import { MailQueue } from '../../infra/mail/mail-queue';
import type { Mailer } from '../../infra/mail/mailer.port';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import type { RateLimiterFactory } from '../../infra/ratelimit/rate-limiter.port';
import { SanctionKind, UserDeleted, UserDeleting, UserErasing, UserSanctioned, type UsersModule } from '../users';
import { AccountResolver } from './account.resolver';
import { SESSION_REVOKED_TOPIC, type SessionRevokedEvent } from './auth.events';
import { AccountService } from './account.service';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { EmailCode } from './email-code.entity';
import { EmailCodes } from './email-codes';
import { PasswordHasher } from './password';
import { PasswordReset } from './password-reset.entity';
import { createSqlRefreshTokenStore } from './refresh-token.sql';
import { SessionLiveness } from './session-liveness';
import { SessionService } from './sessions.service';
import { AccessTokens } from './tokens';
import { SessionEndReason } from './session-end-reason';

/** The sections of the configuration auth reads (see config.ts). */
export interface AuthConfig {
  auth: {
    issuer: string;
    audience: string;
    accessTokenTtlMs: number;
    refreshTokenTtlMs: number;
    refreshReuseLeewayMs: number;
    sessionCacheTtlMs: number;
    scryptLogN: number;
    loginMaxFailuresPerAccount: number;
    loginMaxAttemptsPerIp: number;
    loginWindowMs: number;
    signUpMaxPerIp: number;
    signUpWindowMs: number;
  };
  mail: { pollIntervalMs: number; maxAttempts: number; retryBaseMs: number };
  account: {
    publicUrl: string;
    requireEmailVerification: boolean;
    emailCodeTtlMs: number;
    emailCodeMaxAttempts: number;
    emailCodeResendIntervalMs: number;
    emailCodesPerHour: number;
    passwordResetTtlMs: number;
    lockThreshold: number;
  };
}

export interface AuthModuleDeps {
  orm: Orm;
  events: DomainEvents;
  pubsub: PubSub;
  limiters: RateLimiterFactory;
  /** Hand-written statements on the primary: the login sessions' store of record. */
  sql: SqlRunner;
  /** How account mails leave (SMTP or the dev outbox); the module queues them durably. */
  mailer: Mailer;
  logger: Logger;
  users: Pick<UsersModule, 'credentials' | 'deletion' | 'ages'>;
  /** HS256 key of the access tokens; email codes are keyed by an HMAC of it. */
  jwtSecret: string;
  config: AuthConfig;
  onMailSent?: () => void;
  onMailFailure?: () => void;
  /**
   * The clock of suspensions, email codes and reset links (tests move it). Access tokens, login
   * sessions and rate limits keep the real time (see ServerOptions.clock).
   */
  clock: Clock;
}

/**
 * Accounts and sessions: sign-up (with an emailed code), login with throttles and the account
 * lock, refresh rotation, password reset and change, account deletion. A deleted account's
 * sessions, codes, reset links and unsent mails go with it.
 */
export function createAuthModule(deps: AuthModuleDeps) {
  const { orm, events, pubsub, limiters, logger, users, jwtSecret, config, clock } = deps;
  const refreshStore = createSqlRefreshTokenStore(deps.sql);
  const { auth: authConfig, account: accountConfig } = config;
  const mail = new MailQueue(orm, deps.mailer, logger, {
    ...config.mail,
    onSent: deps.onMailSent,
    onFailure: deps.onMailFailure,
  });
  const window = (name: string, points: number, durationMs: number) =>
    limiters.create({ name, points, durationMs, blockDurationMs: durationMs });
  const hasher = new PasswordHasher({ logN: authConfig.scryptLogN, r: 8, p: 1 });
  const loginAccount = window('login-account', authConfig.loginMaxFailuresPerAccount, authConfig.loginWindowMs);
  const perHour = (name: string, points: number) => limiters.create({ name, points, durationMs: 3_600_000 });
  const liveness = new SessionLiveness((sessionId) => refreshStore.isActive(sessionId, new Date()), {
    ttlMs: authConfig.sessionCacheTtlMs,
  });
  const sessions = new SessionService({
    accessTokens: new AccessTokens({
      secret: jwtSecret,
      issuer: authConfig.issuer,
      audience: authConfig.audience,
      ttlMs: authConfig.accessTokenTtlMs,
    }),
    refreshStore,
    liveness,
    credentials: users.credentials,
    pubsub,
    logger,
    refreshTokenTtlMs: authConfig.refreshTokenTtlMs,
    refreshReuseLeewayMs: authConfig.refreshReuseLeewayMs,
  });
  const account = new AccountService({
    orm,
    sessions,
    credentials: users.credentials,
    deletion: users.deletion,
    hasher,
    codes: new EmailCodes({
      secret: createHmac('sha256', jwtSecret).update('randchat email codes').digest('base64url'),
      ttlMs: accountConfig.emailCodeTtlMs,
      maxAttempts: accountConfig.emailCodeMaxAttempts,
      clock,
    }),
    mail,
    limiters: {
      mailResend: limiters.create({
        name: 'mail-resend',
        points: 1,
        durationMs: accountConfig.emailCodeResendIntervalMs,
      }),
      mailHourly: perHour('mail-hourly', accountConfig.emailCodesPerHour),
      mailIp: perHour('mail-ip', accountConfig.emailCodesPerHour * 3),
      loginAccount,
    },
    publicUrl: accountConfig.publicUrl,
    requireEmailVerification: accountConfig.requireEmailVerification,
    codeTtlMs: accountConfig.emailCodeTtlMs,
    resetTtlMs: accountConfig.passwordResetTtlMs,
    lockThreshold: accountConfig.lockThreshold,
    clock,
  });
  const auth = new AuthService({
    hasher,
    account,
    sessions,
    credentials: users.credentials,
    ages: users.ages,
    clock,
    limiters: {
      loginAccount,
      loginIp: window('login-ip', authConfig.loginMaxAttemptsPerIp, authConfig.loginWindowMs),
      signUpIp: window('signup-ip', authConfig.signUpMaxPerIp, authConfig.signUpWindowMs),
    },
  });

  const endSessions = ({ userId }: { userId: string }) =>
    sessions.endAllSessions(userId, SessionEndReason.ACCOUNT_DELETED);
  events.on(UserDeleting, endSessions);
  events.on(UserErasing, async ({ tx, userId, email }) => {
    await tx.nativeDelete(EmailCode, { email });
    await tx.nativeDelete(PasswordReset, { user: userId });
    await mail.forget(tx, email);
  });
  events.on(UserDeleted, endSessions);
  events.on(UserSanctioned, ({ userId, kind }) =>
    sessions.endAllSessions(
      userId,
      kind === SanctionKind.BANNED ? SessionEndReason.BANNED : SessionEndReason.SUSPENDED,
    ),
  );

  return {
    authenticate: (token: string | undefined) => sessions.authenticate(token),
    /** Whether a login session is live, through the same per-instance cache as `authenticate`. */
    isSessionLive: (sessionId: string) => liveness.isLive(sessionId),
    resolvers: [new AuthResolver(auth, sessions), new AccountResolver(account)],
    /**
     * Calls `onRevoked` with every login session that ends, on any instance (to close its sockets),
     * and why (a sanction's sockets close with 4403, see SANCTION_REASONS). The session check reuses
     * "live" answers only while this listens (see SessionLiveness): each event refuses its sessions
     * here before `onRevoked` runs.
     */
    async watchRevocations(onRevoked: (sessionIds: readonly string[], reason: SessionEndReason) => void) {
      const revocations = await pubsub.subscribe<SessionRevokedEvent>(SESSION_REVOKED_TOPIC);
      liveness.setListening(true);
      void (async () => {
        for await (const event of revocations) {
          liveness.revoke(event.sessionIds);
          onRevoked(event.sessionIds, event.reason);
        }
      })()
        .catch((err: unknown) => logger.error({ err }, 'session revocation listener stopped'))
        .finally(() => liveness.setListening(false));
      return async () => void (await revocations.return?.());
    },
    start() {
      mail.start();
      void mail.kick();
    },
    async stop() {
      await mail.stop();
      await deps.mailer.dispose();
    },
  };
}

export type AuthModule = ReturnType<typeof createAuthModule>;
