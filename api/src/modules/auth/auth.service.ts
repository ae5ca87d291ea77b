import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../../infra/db/orm';
import type { AuthenticatedUser, AuthState } from '../../infra/graphql/context';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  RateLimitedError,
  UnauthenticatedError,
} from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import type { RateLimiter, RateLimitResult } from '../../infra/ratelimit/rate-limiter.port';
import { User } from '../users/user.entity';
import type { LogInInput, SignUpInput } from './auth.inputs';
import { SESSION_REVOKED_TOPIC, type SessionRevokedEvent } from './auth.events';
import type { PasswordHasher } from './password';
import type { RefreshTokenStore } from './refresh-token.port';
import { refreshTokens, type AccessTokens } from './tokens';

export interface AuthLimiters {
  /** Login attempts per normalised email (reset by a successful login). */
  loginAccount: RateLimiter;
  /** Login attempts per client IP. */
  loginIp: RateLimiter;
  /** Sign-ups per client IP. */
  signUpIp: RateLimiter;
}

/** Sign-up verification and the account lock, provided by the account lifecycle (AccountService). */
export interface AccountHooks {
  /** Whether signUp needs a code from requestEmailCode. */
  requireEmailVerification: boolean;
  /** Spends an attempt on the sign-up code; returns the id to redeem in the sign-up transaction. */
  verifySignUpCode(em: Em, email: string, code: string): Promise<string>;
  redeemSignUpCode(tx: Em, codeId: string): Promise<void>;
  /** Counts a wrong password; locks the account (and mails an unlock code) at the threshold. */
  recordFailedLogin(em: Em, user: User): Promise<void>;
}

export interface AuthServiceDeps {
  hasher: PasswordHasher;
  account: AccountHooks;
  accessTokens: AccessTokens;
  refreshStore: RefreshTokenStore;
  limiters: AuthLimiters;
  pubsub: PubSub;
  logger: Logger;
  refreshTokenTtlMs: number;
  refreshReuseLeewayMs: number;
}

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: User;
}

const INVALID_CREDENTIALS = 'Invalid email or password';

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Accounts and login sessions: sign-up, login, refresh rotation, logout, token checks. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async signUp(em: Em, input: SignUpInput, ip: string): Promise<Session> {
    this.assertAllowed(await this.deps.limiters.signUpIp.consume(ip), 'Too many sign-ups from this network');
    const nickname = input.nickname.trim();
    if (nickname.length < 2) throw new BadUserInputError('nickname must be 2 to 20 characters long', 'nickname');
    const email = normaliseEmail(input.email);
    const { account } = this.deps;
    let codeId: string | null = null;
    if (account.requireEmailVerification) {
      if (!input.emailCode)
        throw new BadUserInputError('emailCode is required: request one with requestEmailCode', 'emailCode');
      codeId = await account.verifySignUpCode(em, email, input.emailCode);
    }
    const user = new User({
      email,
      passwordHash: await this.deps.hasher.hash(input.password),
      nickname,
      gender: input.gender ?? undefined,
      birthYear: input.birthYear ?? undefined,
    });
    try {
      await em.transactional(async (tx) => {
        if (codeId) await account.redeemSignUpCode(tx, codeId);
        tx.persist(user);
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new ConflictError('An account with this email already exists');
      }
      throw err;
    }
    return this.createSession(user);
  }

  async logIn(em: Em, input: LogInInput, ip: string): Promise<Session> {
    const email = normaliseEmail(input.email);
    const [byIp, byAccount] = await Promise.all([
      this.deps.limiters.loginIp.consume(ip),
      this.deps.limiters.loginAccount.consume(email),
    ]);
    this.assertAllowed(byIp, 'Too many login attempts from this network');
    this.assertAllowed(byAccount, 'Too many login attempts for this account');

    const user = await em.findOne(User, { email }, { populate: ['passwordHash'], connectionType: 'write' });
    const ok = await this.deps.hasher.verify(input.password, user?.passwordHash ?? null);
    if (user?.lockedAt) {
      throw new ForbiddenError(
        'This account is locked after too many failed logins: unlock it with the code we emailed (unlockAccount)',
        {
          reason: 'ACCOUNT_LOCKED',
        },
      );
    }
    if (!user || !ok) {
      if (user) await this.deps.account.recordFailedLogin(em, user);
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }

    await this.deps.limiters.loginAccount.reset(email);
    const rehash = this.deps.hasher.needsRehash(user.passwordHash!);
    const hadFailures = user.failedLogins > 0;
    if (rehash) user.passwordHash = await this.deps.hasher.hash(input.password);
    if (hadFailures) user.failedLogins = 0;
    if (rehash || hadFailures) await em.flush();
    return this.createSession(user);
  }

  /** Rotates a refresh token. A replayed (already rotated) token ends its whole session. */
  async refresh(em: Em, presented: string): Promise<Session> {
    const familyId = refreshTokens.familyOf(presented);
    if (!familyId) throw new UnauthenticatedError('Invalid or expired refresh token');
    const next = refreshTokens.issue(familyId);
    const result = await this.deps.refreshStore.rotate(
      familyId,
      refreshTokens.hash(presented),
      next.hash,
      new Date(),
      this.deps.refreshReuseLeewayMs,
    );
    switch (result.status) {
      case 'rotated': {
        const user = await em.findOne(User, { id: result.userId, deletedAt: null }, { connectionType: 'write' });
        if (!user) {
          await this.deps.refreshStore.revokeFamily(familyId);
          throw new UnauthenticatedError('Invalid or expired refresh token');
        }
        const access = this.deps.accessTokens.sign(user.id, familyId);
        return {
          accessToken: access.token,
          accessTokenExpiresAt: access.expiresAt,
          refreshToken: next.token,
          refreshTokenExpiresAt: result.expiresAt,
          user,
        };
      }
      case 'stale':
        throw new UnauthenticatedError('Refresh token was just rotated by a parallel request; use the newest one');
      case 'reused':
        this.deps.logger.warn(
          { audit: 'refresh_token_reuse', sessionId: familyId },
          'refresh token reuse: session revoked',
        );
        await this.announceRevoked({ sessionIds: [familyId], reason: 'refresh-reuse' });
        throw new UnauthenticatedError('Refresh token was already used; the session has been revoked');
      case 'invalid':
        throw new UnauthenticatedError('Invalid or expired refresh token');
    }
  }

  /**
   * Ends the session named by the refresh token, or else the caller's current session.
   * Returns false when there was no live session to end.
   */
  async logOut(presented: string | undefined, caller: AuthenticatedUser | null): Promise<boolean> {
    const familyId = (presented && refreshTokens.familyOf(presented)) || caller?.sessionId;
    if (!familyId) return false;
    if (!(await this.deps.refreshStore.revokeFamily(familyId))) return false;
    await this.announceRevoked({ sessionIds: [familyId], reason: 'logout' });
    return true;
  }

  /** Checks an access token, including that its session is still live. Never throws. */
  async authenticate(token: string | undefined): Promise<AuthState> {
    if (!token) return { user: null };
    const claims = this.deps.accessTokens.verify(token);
    if (!claims) return { user: null, error: 'Access token is invalid or expired' };
    if (!(await this.deps.refreshStore.isActive(claims.sid, new Date()))) {
      return { user: null, error: 'Session has ended; log in again' };
    }
    return { user: { userId: claims.sub, sessionId: claims.sid, accessTokenExpiresAt: new Date(claims.exp * 1000) } };
  }

  /** Ends every login session of the user on every instance (their sockets close with 4401). */
  async endAllSessions(userId: string, reason: SessionRevokedEvent['reason']): Promise<void> {
    const sessionIds = await this.deps.refreshStore.revokeAllForUser(userId);
    if (sessionIds.length > 0) await this.announceRevoked({ sessionIds, reason });
  }

  /** Starts a new login session for an already authenticated user. */
  async createSession(user: User): Promise<Session> {
    const familyId = randomUUID();
    const refresh = refreshTokens.issue(familyId);
    const refreshTokenExpiresAt = new Date(Date.now() + this.deps.refreshTokenTtlMs);
    await this.deps.refreshStore.createFamily({
      familyId,
      userId: user.id,
      tokenHash: refresh.hash,
      expiresAt: refreshTokenExpiresAt,
    });
    const access = this.deps.accessTokens.sign(user.id, familyId);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt,
      user,
    };
  }

  private assertAllowed(result: RateLimitResult, message: string): void {
    if (!result.allowed) throw new RateLimitedError(`${message}; try again later`, result.retryAfterMs);
  }

  private announceRevoked(event: SessionRevokedEvent): Promise<void> {
    return this.deps.pubsub.publish(SESSION_REVOKED_TOPIC, event);
  }
}
